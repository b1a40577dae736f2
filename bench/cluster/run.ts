/**
 * The cluster-DNS benchmark: builds the data set, checks that every server answers the same
 * records, measures capacity in interleaved rounds and latency at half capacity, and prints
 * medians and ratios. `--write-docs` records the result in docs/performance.md (with an SVG
 * chart) and bench/README.md. `npm run bench` builds first, then runs this.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { renderChart } from '../lib/chart.js';
import { measurePauses } from '../lib/cpu-pauses.js';
import { dnsperfArgs } from '../lib/dnsperf.js';
import { machineInfo } from '../lib/machine-info.js';
import { ALL_SERVERS, CLUSTERDNS_CLI, DIST_ROOT, type StartContext } from '../lib/servers.js';
import { writeDataset } from '../lib/write-dataset.js';
import { measureCapacity, measureLatency } from './measure.js';
import { renderReport, replaceBlock, type ReportInput } from './report-markdown.js';
import { ratios, summarize, type ServerSummary } from './summary.js';
import { verifyAll } from './verify-all.js';

const SERVER_CPU = 1;
const CLIENT_CPU = 0;

/** The checkout this compiled file belongs to (dist/..). */
const REPO_DEFAULT = path.resolve(DIST_ROOT, '..');

interface Options {
  readonly rounds: number;
  readonly seconds: number;
  readonly latencySeconds: number;
  readonly startSeconds: number;
  readonly servers: string[];
  readonly workDir: string;
  readonly verify: boolean;
  readonly writeDocs: boolean;
  readonly repo: string;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function parseOptions(argv: readonly string[]): Options {
  return new Command('bench')
    .description('Side-by-side DNS benchmark: clusterdns, the Node ceiling, dnsmasq, Knot')
    .option('--rounds <n>', 'interleaved rounds', positive, 3)
    .option('--seconds <n>', 'seconds per measured run', positive, 10)
    .option('--latency-seconds <n>', 'seconds of the half-capacity latency run', positive, 5)
    .option(
      '--start-seconds <n>',
      'seconds of the same load on the fresh server before the latency run, timed on their own',
      positive,
      3,
    )
    .option('--servers <names>', 'comma-separated subset', (v) => v.split(','), [])
    .option('--work-dir <dir>', 'data and scratch files', '/tmp/clusterdns-bench')
    .option('--no-verify', 'skip the answer check before measuring')
    .option('--write-docs', 'record the result in docs/performance.md and bench/README.md')
    .option('--repo <dir>', 'repository whose docs --write-docs updates', REPO_DEFAULT)
    .parse(argv, { from: 'node' })
    .opts<Options>();
}

/** The servers to measure: the named ones, or all; clusterdns only once it is built. */
function chooseServers(names: readonly string[], log: (line: string) => void) {
  const unknown = names.filter((n) => !ALL_SERVERS.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`unknown servers: ${unknown.join(', ')}`);
  const wanted = ALL_SERVERS.filter((s) => names.length === 0 || names.includes(s.name));
  if (existsSync(CLUSTERDNS_CLI)) return wanted;
  log(`${CLUSTERDNS_CLI} is missing (run npm run build): measuring the baselines only`);
  return wanted.filter((s) => !s.name.startsWith('clusterdns'));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const log = (line: string): void => void process.stdout.write(line + '\n');
  // The harness itself stays off the server's CPU.
  const pin = ['-p', '-c', String(CLIENT_CPU), String(process.pid)];
  execFileSync('taskset', pin, { stdio: 'ignore' });
  let servers = chooseServers(options.servers, log);
  mkdirSync(options.workDir, { recursive: true });
  const files = writeDataset(path.join(options.workDir, 'data'));
  log(`data: ${files.dataset.services.length} services, ${JSON.stringify(files.dataset.mix)}`);
  const ctx: StartContext = {
    files,
    workDir: options.workDir,
    serverCpu: SERVER_CPU,
    clientCpu: CLIENT_CPU,
    nodeFlags: [],
  };

  const verification = new Map();
  if (options.verify) {
    const checked = await verifyAll(servers, ctx, log);
    servers = checked.started;
    for (const [name, checks] of checked.results) verification.set(name, checks);
  }
  const pauses = await measurePauses(SERVER_CPU, 3);
  log(
    `CPU ${SERVER_CPU} pauses: ${pauses.pausesOver1ms} over 1 ms in ${pauses.seconds} s, ` +
      `longest ${pauses.longestMs.toFixed(1)} ms`,
  );
  const measure = { ...options, log };
  const runs = await measureCapacity(servers, ctx, measure);
  const latency = await measureLatency(servers, ctx, runs, measure);
  const summaries = summarize(runs, latency);
  const report: ReportInput = {
    machine: machineInfo(),
    command: ['node dist/bench/cluster/run.js', ...process.argv.slice(2)].join(' '),
    dnsperfCommand: clientCommand(options.seconds),
    rounds: options.rounds,
    seconds: options.seconds,
    latencySeconds: options.latencySeconds,
    startSeconds: options.startSeconds,
    summaries,
    ratios: ratios(runs),
    verification,
    pauses,
    chart: options.writeDocs ? 'performance.svg' : '',
  };
  const resultsFile = path.join(options.workDir, 'results.json');
  writeFileSync(resultsFile, JSON.stringify({ report, runs, latency }, null, 1));
  log('\n' + renderReport(report));
  log(`raw results: ${resultsFile}`);
  if (options.writeDocs) await writeDocs(options.repo, report, summaries, log);
}

function clientCommand(seconds: number): string {
  const args = dnsperfArgs({ port: 0, queryFile: 'queries.txt', seconds });
  return `taskset -c ${CLIENT_CPU} dnsperf ${args.join(' ').replace('-p 0', '-p PORT')}`;
}

/** Writes the chart, and the results block of docs/performance.md and bench/README.md. */
async function writeDocs(
  repo: string,
  report: ReportInput,
  summaries: readonly ServerSummary[],
  log: (line: string) => void,
): Promise<void> {
  const rows = summaries.map((s) => ({
    server: s.server,
    medianQps: s.medianQps,
    minQps: s.minQps,
    maxQps: s.maxQps,
    perCpuSecond: 1e6 / s.medianCpuUs,
    avgMs: s.medianAvgMs,
    p99HalfMs: s.latency?.p99Ms ?? NaN,
  }));
  const { cpus, date } = report.machine;
  const chartFile = path.join(repo, 'docs/performance.svg');
  const title = `DNS benchmark, ${cpus} CPUs, ${date.slice(0, 10)}`;
  writeFileSync(chartFile, await renderChart(rows, title));
  const doc = path.join(repo, 'docs/performance.md');
  writeFileSync(doc, replaceBlock(readFileSync(doc, 'utf8'), renderReport(report)));
  const readme = path.join(repo, 'bench/README.md');
  const forReadme = renderReport({ ...report, chart: '../docs/performance.svg' });
  writeFileSync(readme, replaceBlock(readFileSync(readme, 'utf8'), forReadme));
  log(`wrote ${chartFile}, ${doc}, ${readme}`);
}

main().catch((err: unknown) => {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`bench failed: ${text}\n`);
  process.exitCode = 1;
});
