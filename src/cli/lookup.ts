/**
 * `clusterdns lookup NAME`: performs the search-list walk a pod's C library would perform and
 * prints every query, its answer, the result and the number of queries spent.
 * Exit codes: 0 resolved, 2 did not resolve, 1 bad input.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { rcodeName } from '../wire/constants.js';
import { renderResolvConf } from '../resolv/dns-config.js';
import type { ServerAddress } from '../resolv/dns-client.js';
import { isQueryName, lookup } from '../resolv/lookup.js';
import type { AddressType, WalkResult } from '../resolv/search-walk.js';
import {
  parseStubResolverConfig,
  type Libc,
  type StubResolverConfig,
} from '../resolv/stub-resolver-config.js';
import { formPodResolvFromFiles } from './pod-resolv-input.js';

interface LookupFlags {
  readonly type: string;
  readonly pod?: string;
  readonly resolvConf?: string;
  readonly resolver: string;
  readonly server?: string;
  readonly clusterDns: string;
  readonly clusterDomain: string;
  readonly hostResolv: string;
  readonly timeout?: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  program
    .command('lookup')
    .description("resolve NAME with a pod's search-list walk, printing every query")
    .argument('<name>', 'host name as the application passes it')
    .option('--type <type>', 'A, AAAA or ADDR (both, as getaddrinfo AF_UNSPEC)', 'ADDR')
    .option('--pod <file>', 'Pod manifest: use the resolv.conf the kubelet would write')
    .option('--resolv-conf <file>', 'use this resolv.conf')
    .option('--resolver <libc>', 'glibc or musl', 'glibc')
    .option('--server <addr>', 'ask ADDR[:PORT] instead of the nameservers ([v6]:port for IPv6)')
    .option('--cluster-dns <ips>', 'with --pod: kubelet --cluster-dns', '10.96.0.10')
    .option('--cluster-domain <domain>', 'with --pod: kubelet --cluster-domain', 'cluster.local')
    .option(
      '--host-resolv <file>',
      "with --pod: kubelet --resolv-conf ('' for none)",
      '/etc/resolv.conf',
    )
    .option('--timeout <ms>', 'per-query timeout, overriding the resolv.conf value')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, flags: LookupFlags) => {
      process.exitCode = await runLookup(name, flags, process.stdout, process.stderr);
    });
}

interface Output {
  write(text: string): unknown;
}

/** Runs the command and returns its exit code. */
export async function runLookup(
  name: string,
  flags: LookupFlags,
  stdout: Output,
  stderr: Output,
): Promise<number> {
  let config: StubResolverConfig;
  let types: AddressType[];
  let servers: ServerAddress[];
  let libc: Libc;
  let timeoutMs: number | undefined;
  try {
    libc = parseLibc(flags.resolver);
    if (!isQueryName(name.replace(/\.$/, '')))
      throw new Error(`not a host name: ${JSON.stringify(name)}`);
    types = parseTypes(flags.type);
    config = parseStubResolverConfig(resolvConfText(flags, stderr), libc);
    servers = flags.server
      ? [parseServer(flags.server)]
      : config.nameservers.filter((host) => isIP(host) !== 0).map((host) => ({ host, port: 53 }));
    if (servers.length === 0) throw new Error('no nameserver to ask: give --server');
    timeoutMs = parseTimeout(flags.timeout);
  } catch (err) {
    stderr.write(`clusterdns lookup: ${(err as Error).message}\n`);
    return 1;
  }
  const result = await lookup(name, config, { libc, types, servers, timeoutMs });
  stdout.write(flags.json ? `${JSON.stringify(result)}\n` : formatWalk(name, libc, config, result));
  return result.error === '' ? 0 : 2;
}

function resolvConfText(flags: LookupFlags, stderr: Output): string {
  if ((flags.pod === undefined) === (flags.resolvConf === undefined)) {
    throw new Error('give exactly one of --pod and --resolv-conf');
  }
  if (flags.resolvConf !== undefined) return readFileSync(flags.resolvConf, 'utf8');
  const formed = formPodResolvFromFiles({
    pod: flags.pod as string,
    clusterDns: flags.clusterDns,
    clusterDomain: flags.clusterDomain,
    hostResolv: flags.hostResolv,
  });
  for (const warning of formed.warnings) stderr.write(`warning: ${warning}\n`);
  return renderResolvConf(formed.config);
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1)
    throw new Error(`--timeout must be milliseconds, not ${value}`);
  return ms;
}

function parseLibc(value: string): Libc {
  if (value === 'glibc' || value === 'musl') return value;
  throw new Error(`--resolver must be glibc or musl, not ${JSON.stringify(value)}`);
}

function parseTypes(value: string): AddressType[] {
  const upper = value.toUpperCase();
  if (upper === 'A' || upper === 'AAAA') return [upper];
  if (upper === 'ADDR') return ['A', 'AAAA'];
  throw new Error(`--type must be A, AAAA or ADDR, not ${JSON.stringify(value)}`);
}

/**
 * `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`. Only addresses: a host name would have to be
 * resolved by this machine's resolver, which a diagnosis tool must not silently consult.
 */
export function parseServer(value: string): ServerAddress {
  const server = parseServerText(value);
  if (isIP(server.host) === 0) throw new Error(`--server must be an IP address: ${value}`);
  return server;
}

function parseServerText(value: string): ServerAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) return { host: bracketed[1], port: parsePort(bracketed[2] ?? '53', value) };
  const colons = value.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = value.split(':');
    return { host, port: parsePort(port, value) };
  }
  return { host: value, port: 53 };
}

function parsePort(text: string, whole: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`bad port in --server ${whole}`);
  return port;
}

function formatWalk(
  name: string,
  libc: Libc,
  config: StubResolverConfig,
  result: WalkResult,
): string {
  const packets = result.queries.reduce((sum, q) => sum + q.outcome.packets, 0);
  const lines = [
    `; ${libc} lookup of ${name}: ndots ${config.ndots}, ` +
      `search ${config.searches.join(' ') || '(none)'}`,
    ...config.ignored.map((line) => `; ignored line: ${line}`),
  ];
  result.queries.forEach((q, i) => {
    const answer =
      q.outcome.rcode === null ? `no reply (${q.outcome.failure})` : rcodeName(q.outcome.rcode);
    const nodata =
      q.outcome.rcode === 0 && q.outcome.answerCount === 0 ? ' (no records: NODATA)' : '';
    lines.push(`query ${i + 1}: ${q.name}. ${q.type} -> ${answer}${nodata} via ${q.outcome.via}`);
    for (const record of q.outcome.records) lines.push(`    ${record}`);
  });
  lines.push(
    result.error === ''
      ? `result: ${result.answeredName} ${result.addresses.join(' ')}`
      : `result: ${result.error}`,
    `queries: ${result.queries.length}`,
    ...(packets === result.queries.length ? [] : [`packets sent: ${packets} (with retries)`]),
  );
  return `${lines.join('\n')}\n`;
}
