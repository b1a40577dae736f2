/**
 * `clusterdns serve`: reads flags or a Corefile, starts the server, and wires process signals
 * (SIGHUP reloads; SIGTERM and SIGINT shut down, honouring the health plugin's lameduck).
 * With `--workers N` (N > 1) this process becomes a supervisor of N serving processes.
 */
import cluster from 'node:cluster';
import fs from 'node:fs';
import { Command, Option } from 'commander';
import pino, { type Logger } from 'pino';
import { builtInPlugins } from '../chain/plugin-registry.js';
import { parseDuration } from '../config/duration.js';
import { flagsToBlocks, type ServeFlags } from '../config/flags-to-blocks.js';
import { ClusterDnsError, ConfigError } from '../errors.js';
import { createRegistry, type Registry } from '../metrics/registry.js';
import { parseHostResolvConf } from '../resolv/host-resolv-conf.js';
import { blocksSource, corefileSource } from '../server/config-source.js';
import type { LoadedConfig } from '../server/generation.js';
import { Instance, type InstanceOptions } from '../server/instance.js';
import { parseListenAddress, type ListenAddress } from '../server/listen-address.js';
import { DEFAULT_TCP_LIMITS, type TcpLimits } from '../server/tcp-listener.js';
import { UDP_IO_MODES, type UdpIo } from '../server/udp-listener.js';
import { WorkerInstance } from '../server/workers-instance.js';
import { WorkerPool } from '../server/workers-primary.js';
import { createWorkerRegistry, reportServing } from '../server/workers-worker.js';

interface ServeOptions {
  readonly conf?: string;
  readonly state?: string;
  readonly zone: string[];
  readonly ttl: string;
  readonly pods: string;
  readonly fallthrough: boolean;
  readonly upstream: string[];
  readonly listen: string[];
  readonly kubeconfig?: string;
  readonly namespaces?: string;
  readonly logLevel: string;
  readonly resolvConf: string;
  readonly tcpIdleTimeout: string;
  readonly tcpReadTimeout: string;
  readonly tcpMaxConnections: string;
  readonly tcpMaxInflight: string;
  readonly workers: string;
  readonly udpIo: UdpIo;
}

/** Tells a forked worker which of the N slots it fills (stable across its restarts). */
const WORKER_SLOT_VARIABLE = 'CLUSTERDNS_WORKER_SLOT';

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const FLAG_ONLY = ['state', 'kubeconfig', 'namespaces', 'upstream', 'zone', 'fallthrough'] as const;

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve cluster DNS from a Corefile (--conf) or from flags')
    .option('--conf <file>', 'Corefile to serve (CoreDNS syntax); excludes the cluster flags')
    .option('--state <path>', 'cluster state from a YAML/JSON file or directory of them')
    .option('--kubeconfig <path>', 'cluster state from the Kubernetes API, with this kubeconfig')
    .option('--zone <zone>', 'cluster zone, repeatable (default cluster.local)', collect, [])
    .option('--ttl <seconds>', 'TTL of cluster answers', '5')
    .addOption(
      new Option('--pods <mode>', 'pod records')
        .choices(['disabled', 'insecure', 'verified'])
        .default('disabled'),
    )
    .option('--fallthrough', 'pass unknown reverse names (in-addr.arpa, ip6.arpa) upstream', false)
    .option(
      '--upstream <host[:port]>',
      'upstream resolver, repeatable (default: resolv.conf)',
      collect,
      [],
    )
    .option('--namespaces <a,b>', 'only expose these namespaces')
    .option(
      '--listen <addr:port>',
      'DNS address, repeatable: 127.0.0.1:1053, [::1]:1053 (without: the Corefile keys, or :53)',
      collect,
      [],
    )
    .addOption(
      new Option('--log-level <level>', 'process log level')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .option('--resolv-conf <file>', 'where default upstreams come from', '/etc/resolv.conf')
    .option('--tcp-idle-timeout <duration>', 'close idle DNS TCP connections after', '10s')
    .option('--tcp-read-timeout <duration>', 'close TCP connections stuck mid-message after', '2s')
    .option('--tcp-max-connections <n>', 'open DNS TCP connections per listener', '1000')
    .option('--tcp-max-inflight <n>', 'unanswered queries per TCP connection', '100')
    .addOption(
      new Option('--udp-io <mode>', 'UDP I/O: batch (recvmmsg/sendmmsg) or dgram (node:dgram)')
        .choices(UDP_IO_MODES)
        .default('batch'),
    )
    .option(
      '--workers <n>',
      'serving processes sharing the DNS port (env CLUSTERDNS_WORKERS)',
      process.env.CLUSTERDNS_WORKERS ?? '1',
    )
    .action(async (options: ServeOptions, command: Command) => {
      process.exitCode = await runServe(options, command);
    });
}

/** Starts serving; resolves with an exit code only when startup fails. */
async function runServe(options: ServeOptions, command: Command): Promise<number> {
  const logger = pino({ level: options.logLevel }, pino.destination({ fd: 1, sync: true }));
  if (cluster.isWorker) return runWorker(options, command, logger);
  let workers: number;
  try {
    workers = positiveCount('--workers', options.workers);
  } catch (err) {
    reportStartupFailure(logger, err);
    return 1;
  }
  if (workers > 1) return runPrimary(workers, logger);
  try {
    const instance = new Instance(instanceOptions(options, command, logger, createRegistry()));
    handleSignals(instance, logger);
    const listeners = await instance.start();
    logger.info({ listeners }, 'serving');
  } catch (err) {
    reportStartupFailure(logger, err);
    return 1;
  }
  return 0;
}

/** One of N serving processes: the whole server, reporting to the primary. */
async function runWorker(
  options: ServeOptions,
  command: Command,
  logger: Logger,
): Promise<number> {
  const slot = Number(process.env[WORKER_SLOT_VARIABLE] ?? '0');
  const workerLogger = logger.child({ worker: slot });
  try {
    const metrics = createWorkerRegistry(slot);
    const instance = new WorkerInstance(instanceOptions(options, command, workerLogger, metrics));
    handleSignals(instance, workerLogger);
    const listeners = await instance.start();
    workerLogger.info({ listeners }, 'worker serving');
    reportServing(listeners);
  } catch (err) {
    reportStartupFailure(workerLogger, err);
    // The IPC channel to the primary would keep this process alive.
    process.exit(1);
  }
  return 0;
}

/** The supervisor of N workers: logs "serving" once all of them serve. */
async function runPrimary(count: number, logger: Logger): Promise<number> {
  const pool = new WorkerPool({ count, logger, slotVariable: WORKER_SLOT_VARIABLE });
  process.on('SIGHUP', () => pool.reload());
  const stop = (): void => {
    void pool.shutdown().then((clean) => process.exit(clean ? 0 : 1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    const listeners = await pool.start();
    logger.info({ listeners, workers: count }, 'serving');
  } catch (err) {
    reportStartupFailure(logger, err);
    await pool.shutdown();
    return 1;
  }
  return 0;
}

function instanceOptions(
  options: ServeOptions,
  command: Command,
  logger: Logger,
  metrics: Registry,
): InstanceOptions {
  return {
    logger,
    metrics,
    plugins: builtInPlugins,
    load: configLoader(options, command),
    listen: listenAddresses(options, command),
    tcpLimits: tcpLimits(options),
    udpIo: options.udpIo,
  };
}

function configLoader(options: ServeOptions, command: Command): () => LoadedConfig {
  const conf = options.conf;
  if (conf === undefined) {
    return blocksSource(() => flagsToBlocks(serveFlags(options), hostNameservers(options)));
  }
  const clash = FLAG_ONLY.find((name) => command.getOptionValueSource(name) === 'cli');
  if (clash) {
    const where = { file: 'command line', line: 0 };
    throw new ConfigError('CONFIG_BAD_VALUE', where, `--${clash} cannot be combined with --conf`);
  }
  return corefileSource(conf);
}

function serveFlags(options: ServeOptions): ServeFlags {
  return {
    state: options.state,
    zones: options.zone,
    ttl: options.ttl,
    pods: options.pods,
    fallthrough: options.fallthrough,
    upstreams: options.upstream,
    kubeconfig: options.kubeconfig,
    namespaces: options.namespaces,
  };
}

function hostNameservers(options: ServeOptions): () => readonly string[] {
  return () =>
    parseHostResolvConf(fs.readFileSync(options.resolvConf, 'utf8'), options.resolvConf)
      .nameservers;
}

function listenAddresses(options: ServeOptions, command: Command): ListenAddress[] | null {
  if (command.getOptionValueSource('listen') !== 'cli') return null;
  return options.listen.map((text) => parseListenAddress(text, { file: '--listen', line: 0 }));
}

function tcpLimits(options: ServeOptions): TcpLimits {
  return {
    ...DEFAULT_TCP_LIMITS,
    idleTimeoutMs: positiveDuration('--tcp-idle-timeout', options.tcpIdleTimeout),
    readTimeoutMs: positiveDuration('--tcp-read-timeout', options.tcpReadTimeout),
    maxConnections: positiveCount('--tcp-max-connections', options.tcpMaxConnections),
    maxInFlightPerConnection: positiveCount('--tcp-max-inflight', options.tcpMaxInflight),
  };
}

function positiveDuration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms !== null && ms > 0) return ms;
  throw new ConfigError('CONFIG_BAD_VALUE', { file: flag, line: 0 }, `"${text}" is not a duration`);
}

function positiveCount(flag: string, text: string): number {
  if (/^[1-9]\d*$/.test(text)) return Number(text);
  throw new ConfigError('CONFIG_BAD_VALUE', { file: flag, line: 0 }, `"${text}" is not a count`);
}

function handleSignals(instance: Instance, logger: Logger): void {
  // Signals are handled from the start: a SIGHUP while starting must not kill the process.
  process.on('SIGHUP', () => {
    if (instance.started) void instance.reload('SIGHUP');
  });
  const stop = (): void => {
    if (!instance.started) process.exit(0);
    instance.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The query path has its own boundary; this one keeps a stray background error from
  // taking every client's DNS down with it.
  process.on('uncaughtException', (err) =>
    logger.error({ err: err.message, stack: err.stack }, 'uncaught error'),
  );
  process.on('unhandledRejection', (err) =>
    logger.error({ err: String(err) }, 'unhandled rejection'),
  );
}

function reportStartupFailure(logger: Logger, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof ClusterDnsError ? err.code : undefined;
  logger.error({ err: message, code }, 'startup failed');
  process.stderr.write(`clusterdns: ${message}\n`);
}
