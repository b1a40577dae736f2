/**
 * The servers under test and how to start each one fresh for a run: pinned to the server CPU,
 * on a free loopback port, and answering before the run begins.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitForAnswer } from './dns-probe.js';
import { freePort } from './free-port.js';
import { PinnedProcess } from './pinned-process.js';
import { renderKnotConf } from './render-knot.js';
import { clusterdnsCacheCorefile } from './corefiles.js';
import { runDnsperf } from './dnsperf.js';
import type { DatasetFiles } from './write-dataset.js';

const run = promisify(execFile);

/** Root of the compiled tree (`dist/`), found from this compiled module (dist/bench/lib). */
export const DIST_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLUSTERDNS_CLI = path.join(DIST_ROOT, 'src/cli/main.js');
const CEILING_MAIN = path.join(DIST_ROOT, 'bench/lib/ceiling-main.js');

export interface StartContext {
  readonly files: DatasetFiles;
  /** Scratch directory for per-run files (configs, profiles). */
  readonly workDir: string;
  /** CPU the server is pinned to. */
  readonly serverCpu: number;
  /** CPU of the client side (dnsperf, helper upstreams). */
  readonly clientCpu: number;
  /** Extra Node.js flags for clusterdns (e.g. `--cpu-prof`). */
  readonly nodeFlags: readonly string[];
}

export interface RunningServer {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface ServerUnderTest {
  /** Short name used in tables and the chart. */
  readonly name: string;
  /** Which query file measures it. */
  readonly queries: 'cluster' | 'external';
  /** True for Node.js servers, which take `StartContext.nodeFlags` (and can be profiled). */
  readonly profilable: boolean;
  /** A name it must answer, used to wait until it is ready. */
  readonly probeName: string;
  start(context: StartContext): Promise<RunningServer>;
}

const CLUSTER_PROBE = 'svc-0.ns-0.svc.cluster.local';

/** The discard port: nothing listens there, so a stray forward gets no answer. */
const UNUSED_PORT = 9;

/** Starts `proc`, waits for an answer on `port`, and wraps it; kills it if it never answers. */
async function ready(proc: PinnedProcess, port: number, probe: string): Promise<RunningServer> {
  try {
    await waitForAnswer(port, probe);
  } catch (err) {
    await proc.stop();
    throw new Error(`${proc.label} did not answer: ${proc.tail()}`, { cause: err });
  }
  return { port, pid: proc.pid, stop: () => proc.stop() };
}

export const ceilingServer: ServerUnderTest = {
  name: 'node-ceiling',
  queries: 'cluster',
  profilable: true,
  probeName: CLUSTER_PROBE,
  async start(ctx) {
    const port = await freePort();
    const args = [...ctx.nodeFlags, CEILING_MAIN, ctx.files.ceilingRecords, String(port)];
    const proc = PinnedProcess.start('node-ceiling', ctx.serverCpu, process.execPath, args);
    return ready(proc, port, CLUSTER_PROBE);
  },
};

export const dnsmasqServer: ServerUnderTest = {
  name: 'dnsmasq',
  queries: 'cluster',
  profilable: false,
  probeName: CLUSTER_PROBE,
  async start(ctx) {
    const port = await freePort();
    const args = [
      '-k',
      `--conf-file=${ctx.files.dnsmasqConf}`,
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--pid-file=',
      '--log-facility=-',
    ];
    const proc = PinnedProcess.start('dnsmasq', ctx.serverCpu, 'dnsmasq', args);
    return ready(proc, port, CLUSTER_PROBE);
  },
};

export const knotServer: ServerUnderTest = {
  name: 'knot',
  queries: 'cluster',
  profilable: false,
  probeName: CLUSTER_PROBE,
  async start(ctx) {
    const port = await freePort();
    const runDir = path.join(ctx.workDir, 'knot');
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(runDir, { recursive: true });
    const conf = path.join(runDir, 'knot.conf');
    const zone = ctx.files.dataset.zone;
    writeFileSync(conf, renderKnotConf({ port, runDir, zone, zoneFile: ctx.files.knotZoneFile }));
    const proc = PinnedProcess.start('knot', ctx.serverCpu, 'knotd', ['-c', conf]);
    const server = await ready(proc, port, CLUSTER_PROBE);
    // knotd pins its UDP worker to a CPU of its own choosing; put every thread back.
    await run('taskset', ['-a', '-p', '-c', String(ctx.serverCpu), String(server.pid)]);
    return server;
  },
};

/** clusterdns serving the state file through its CLI flags (the kubernetes records only). */
export const clusterdnsServer: ServerUnderTest = clusterdnsWorkers(1);

/**
 * The same with UDP through node:dgram (`--udp-io dgram`) instead of the batch socket: what
 * the batching gains, measured in the same run.
 */
export const clusterdnsDgramServer: ServerUnderTest = {
  ...clusterdnsServer,
  name: 'clusterdns-dgram',
  start: (ctx) => startClusterdns(ctx, 1, String(ctx.serverCpu), ['--udp-io', 'dgram']),
};

/**
 * clusterdns with `--workers N` (N serving processes sharing the port) when N > 1, pinned to
 * `cpus` (a taskset list; default: the server CPU).
 */
export function clusterdnsWorkers(workers: number, cpus?: string): ServerUnderTest {
  return {
    name: workers === 1 ? 'clusterdns' : `clusterdns-workers-${workers}`,
    queries: 'cluster',
    profilable: true,
    probeName: CLUSTER_PROBE,
    start: (ctx) => startClusterdns(ctx, workers, cpus ?? String(ctx.serverCpu)),
  };
}

async function startClusterdns(
  ctx: StartContext,
  workers: number,
  cpus: string,
  extraArgs: readonly string[] = [],
) {
  const port = await freePort();
  const args = [
    ...ctx.nodeFlags,
    CLUSTERDNS_CLI,
    'serve',
    '--state',
    ctx.files.stateFile,
    '--listen',
    `127.0.0.1:${port}`,
    '--zone',
    ctx.files.dataset.zone,
    '--ttl',
    String(ctx.files.dataset.ttl),
    // Never used by the query mix; set so that nothing can leave the loopback interface.
    '--upstream',
    `127.0.0.1:${UNUSED_PORT}`,
    ...(workers > 1 ? ['--workers', String(workers)] : []),
    ...extraArgs,
  ];
  const proc = PinnedProcess.start('clusterdns', cpus, process.execPath, args);
  return ready(proc, port, CLUSTER_PROBE);
}

/**
 * clusterdns answering external names from its cache: kubernetes, cache and forward to a
 * loopback upstream (a ceiling server for `example.net`, on the client CPU since it only
 * serves the warm-up). Every external name is asked once before the run, so the measured run
 * is answered from the cache.
 */
export const clusterdnsCacheServer: ServerUnderTest = {
  name: 'clusterdns-cache',
  queries: 'external',
  profilable: true,
  probeName: 'host-0.site-0.example.net',
  async start(ctx) {
    const upstreamPort = await freePort();
    const upstreamArgs = [CEILING_MAIN, ctx.files.externalRecords, String(upstreamPort)];
    const upstream = PinnedProcess.start('upstream', ctx.clientCpu, process.execPath, upstreamArgs);
    const upstreamReady = await ready(upstream, upstreamPort, 'host-0.site-0.example.net');
    const port = await freePort();
    const corefile = path.join(ctx.workDir, 'Corefile.cache');
    writeFileSync(corefile, clusterdnsCacheCorefile(port, upstreamPort, ctx.files));
    const serve = ['serve', '--conf', corefile, '--listen', `127.0.0.1:${port}`];
    const args = [...ctx.nodeFlags, CLUSTERDNS_CLI, ...serve];
    const proc = PinnedProcess.start('clusterdns-cache', ctx.serverCpu, process.execPath, args);
    let server: RunningServer;
    try {
      server = await ready(proc, port, 'host-0.site-0.example.net');
      await runDnsperf({ port, queryFile: ctx.files.externalWarmup, runs: 1, cpu: ctx.clientCpu });
    } catch (err) {
      await Promise.all([proc.stop(), upstreamReady.stop()]);
      throw err;
    }
    return {
      port,
      pid: server.pid,
      stop: async () => {
        await Promise.all([server.stop(), upstreamReady.stop()]);
      },
    };
  },
};

/**
 * Starts `server`, trying again (on a new port) when a start fails: on a shared machine the
 * free port chosen can be taken by another process before the server binds it.
 */
export async function startServer(
  server: ServerUnderTest,
  ctx: StartContext,
  attempts = 3,
): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await server.start(ctx);
    } catch (err) {
      if (attempt >= attempts) throw err;
    }
  }
}

/** Every server, in the order of the interleaved rounds. */
export const ALL_SERVERS: readonly ServerUnderTest[] = [
  ceilingServer,
  dnsmasqServer,
  knotServer,
  clusterdnsServer,
  clusterdnsDgramServer,
  clusterdnsCacheServer,
];
