/**
 * Profiles clusterdns on the answer path: starts it under `node --cpu-prof` (pinned like the
 * benchmark), loads it with dnsperf at full rate, stops it so V8 writes the profile, and prints
 * where the time went, leaving out start-up. `--write-docs` records the tables and a flame
 * graph (SVG) in docs/performance.md. Usage:
 * `node dist/bench/cluster/profile.js [--seconds 10] [--server NAME] [--write-docs]`, NAME one
 * of clusterdns (default), clusterdns-cache, node-ceiling.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { summarizeProfile, type ProfileSummary } from '../lib/cpu-profile.js';
import { renderFlameGraph } from '../lib/flame-graph.js';
import { runDnsperf } from '../lib/dnsperf.js';
import { ALL_SERVERS, DIST_ROOT, startServer, type StartContext } from '../lib/servers.js';
import { writeDataset } from '../lib/write-dataset.js';

const BEGIN = '<!-- bench-profile:begin -->';
const END = '<!-- bench-profile:end -->';

/** The checkout this compiled file belongs to (dist/..). */
const REPO_DEFAULT = path.resolve(DIST_ROOT, '..');

interface Options {
  readonly seconds: string;
  readonly server: string;
  readonly workDir: string;
  readonly writeDocs: boolean;
  readonly repo: string;
}

async function main(): Promise<void> {
  const options = new Command('profile')
    .option('--seconds <n>', 'seconds of load', '10')
    .option('--server <name>', 'clusterdns or clusterdns-cache', 'clusterdns')
    .option('--work-dir <dir>', 'data and scratch files', '/tmp/clusterdns-bench')
    .option('--write-docs', 'record the tables in docs/performance.md')
    .option('--repo <dir>', 'repository whose docs --write-docs updates', REPO_DEFAULT)
    .parse(process.argv)
    .opts<Options>();
  const server = ALL_SERVERS.find((s) => s.name === options.server && s.profilable);
  if (server === undefined) throw new Error('--server must be a Node.js server of the benchmark');
  execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  const files = writeDataset(path.join(options.workDir, 'data'));
  const profDir = path.join(options.workDir, 'profile');
  rmSync(profDir, { recursive: true, force: true });
  mkdirSync(profDir, { recursive: true });
  const ctx: StartContext = {
    files,
    workDir: options.workDir,
    serverCpu: 1,
    clientCpu: 0,
    nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profDir],
  };
  const started = performance.now();
  const running = await startServer(server, ctx);
  const startupMs = performance.now() - started;
  let qps: number;
  try {
    const queryFile = server.queries === 'external' ? files.externalQueries : files.queries;
    const seconds = Number(options.seconds);
    qps = (await runDnsperf({ port: running.port, queryFile, seconds })).qps;
  } finally {
    await running.stop();
  }
  const profiles = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  if (profiles.length !== 1) {
    throw new Error(`expected one profile in ${profDir}, found ${profiles.length}`);
  }
  const kept = path.join(options.workDir, `${server.name}.cpuprofile`);
  copyFileSync(path.join(profDir, profiles[0]), kept);
  const summary = summarizeProfile(kept, DIST_ROOT, startupMs);
  const block = renderProfile(summary, server.name, qps, Number(options.seconds));
  process.stdout.write(`${block}\nprofile kept in ${kept} (DevTools or speedscope draw it)\n`);
  if (!options.writeDocs) return;
  const flameName = `performance-flame-${server.name}.svg`;
  const title = `${server.name} under dnsperf load (start-up left out)`;
  const flame = await renderFlameGraph(kept, DIST_ROOT, startupMs, title);
  writeFileSync(path.join(options.repo, 'docs', flameName), flame);
  const doc = path.join(options.repo, 'docs/performance.md');
  const text = readFileSync(doc, 'utf8');
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${doc} lacks ${BEGIN} ... ${END}`);
  const withFlame = `${block}\n![Flame graph of ${server.name}](${flameName})\n`;
  writeFileSync(doc, `${text.slice(0, begin + BEGIN.length)}\n${withFlame}\n${text.slice(end)}`);
}

function renderProfile(s: ProfileSummary, server: string, qps: number, seconds: number): string {
  const pct = (ms: number): string => `${((100 * ms) / s.busyMs).toFixed(1)}%`;
  const lines = [
    `Profile of \`${server}\` under ${seconds} s of dnsperf at full rate (${Math.round(qps)} QPS ` +
      `with the profiler on), start-up left out; ${Math.round(s.busyMs)} ms busy of ` +
      `${Math.round(s.totalMs)} ms. Shares are of busy time.`,
    '',
    '| area | self time |',
    '|---|---:|',
    ...s.areas.slice(0, 12).map((a) => `| ${a.area} | ${pct(a.selfMs)} |`),
    '',
    '| function (self time, top 20) | self | total |',
    '|---|---:|---:|',
    ...[...s.functions]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, 20)
      .map((f) => `| \`${f.label}\` | ${pct(f.selfMs)} | ${pct(f.totalMs)} |`),
    '',
    '| clusterdns function (inclusive time, top 15) | total | self |',
    '|---|---:|---:|',
    ...[...s.functions]
      .filter((f) => f.area.startsWith('src/'))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, 15)
      .map((f) => `| \`${f.label}\` | ${pct(f.totalMs)} | ${pct(f.selfMs)} |`),
    '',
  ];
  return lines.join('\n');
}

main().catch((err: unknown) => {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`profile failed: ${text}\n`);
  process.exitCode = 1;
});
