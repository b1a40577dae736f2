/**
 * The `forward FROM TO... { ... }` directive, parsed and validated into a frozen config.
 * Defaults follow CoreDNS's forward plugin (README): expire 10s, max_fails 2, health_check
 * 0.5s, policy random, read timeout 2s, at most 15 upstreams.
 */
import fs from 'node:fs';
import type { Directive } from '../../config/directive.js';
import {
  badValue,
  expectArgs,
  normalizeZone,
  parseDuration,
  parseInteger,
  unknownOption,
} from './directive-args.js';
import { parseUpstreams, type UpstreamAddress } from './upstream-address.js';

export type Policy = 'random' | 'round_robin' | 'sequential';

export interface TlsSettings {
  /** Client certificate and key files (both or neither). */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** CA bundle to verify the upstream; the system roots when absent. */
  readonly caFile?: string;
  /** Name checked against the upstream's certificate and sent as SNI. */
  readonly serverName?: string;
}

export interface ForwardConfig {
  readonly from: string;
  readonly upstreams: readonly UpstreamAddress[];
  readonly except: readonly string[];
  readonly forceTcp: boolean;
  readonly preferUdp: boolean;
  readonly expireMs: number;
  readonly maxFails: number;
  readonly healthCheckMs: number;
  readonly policy: Policy;
  /** 0 means no limit. */
  readonly maxConcurrent: number;
  /** How long one attempt at one upstream may take. */
  readonly readTimeoutMs: number;
  /** How long the whole query may take across attempts. */
  readonly deadlineMs: number;
  readonly tls: TlsSettings;
}

export const MAX_UPSTREAMS = 15;

/** Parses the directive; throws ConfigError naming file and line. */
export function parseForward(directive: Directive): ForwardConfig {
  if (directive.args.length < 2) {
    throw badValue(directive, 'forward: expects FROM and at least one TO address');
  }
  const [fromText, ...toTexts] = directive.args;
  const upstreams = toTexts.flatMap((text) => parseUpstreams(directive, text));
  if (upstreams.length > MAX_UPSTREAMS) {
    throw badValue(directive, `forward: ${upstreams.length} upstreams, at most ${MAX_UPSTREAMS}`);
  }
  const config = {
    from: normalizeZone(fromText),
    upstreams,
    except: [] as string[],
    forceTcp: false,
    preferUdp: false,
    expireMs: 10_000,
    maxFails: 2,
    healthCheckMs: 500,
    policy: 'random' as Policy,
    maxConcurrent: 0,
    readTimeoutMs: 2000,
    deadlineMs: 5000,
    tls: {} as { -readonly [K in keyof TlsSettings]: TlsSettings[K] },
  };
  for (const option of directive.block) applyOption(config, option);
  checkTlsFiles(directive, config.tls);
  return Object.freeze(config);
}

type Plain = Omit<ForwardConfig, 'tls' | 'except'>;
type Mutable = { -readonly [K in keyof Plain]: Plain[K] } & {
  except: string[];
  tls: { -readonly [K in keyof TlsSettings]: TlsSettings[K] };
};

function applyOption(config: Mutable, at: Directive): void {
  switch (at.name) {
    case 'except':
      config.except.push(...expectArgs(at, 1, 64).map(normalizeZone));
      return;
    case 'force_tcp':
      expectArgs(at, 0, 0);
      config.forceTcp = true;
      return;
    case 'prefer_udp':
      expectArgs(at, 0, 0);
      config.preferUdp = true;
      return;
    case 'expire':
      config.expireMs = parseDuration(at, expectArgs(at, 1, 1)[0], 'duration');
      return;
    case 'max_fails':
      config.maxFails = parseInteger(at, expectArgs(at, 1, 1)[0], 'count', 0, 1000);
      return;
    case 'health_check':
      config.healthCheckMs = positive(at, parseDuration(at, expectArgs(at, 1, 1)[0], 'interval'));
      return;
    case 'policy':
      config.policy = parsePolicy(at, expectArgs(at, 1, 1)[0]);
      return;
    case 'max_concurrent':
      config.maxConcurrent = parseInteger(at, expectArgs(at, 1, 1)[0], 'limit', 1, 1_000_000);
      return;
    case 'read_timeout':
      config.readTimeoutMs = positive(at, parseDuration(at, expectArgs(at, 1, 1)[0], 'timeout'));
      return;
    case 'tls':
      applyTlsFiles(config, at);
      return;
    case 'tls_servername':
      config.tls.serverName = expectArgs(at, 1, 1)[0];
      return;
    default:
      // Not implemented, so refused rather than ignored: max_idle_conns, max_connect_attempts,
      // next, next_on_nodata, failover, failfast_all_unhealthy_upstreams, source_address,
      // resolver, doh_method and health_check's no_rec/domain. DoH (https://) and hostname
      // upstreams are refused in upstream-address.ts. None is used by kubeadm's Corefile.
      throw unknownOption('forward', at);
  }
}

function positive(at: Directive, ms: number): number {
  if (ms <= 0) throw badValue(at, `${at.name}: must be greater than zero`);
  return ms;
}

function parsePolicy(at: Directive, text: string): Policy {
  if (text === 'random' || text === 'round_robin' || text === 'sequential') return text;
  throw badValue(at, `policy: '${text}' is not one of random, round_robin, sequential`);
}

/** `tls [CA]`, `tls CERT KEY` or `tls CERT KEY CA`, as CoreDNS reads them. */
function applyTlsFiles(config: Mutable, at: Directive): void {
  const args = expectArgs(at, 0, 3);
  if (args.length === 1) config.tls.caFile = args[0];
  if (args.length >= 2) {
    config.tls.certFile = args[0];
    config.tls.keyFile = args[1];
  }
  if (args.length === 3) config.tls.caFile = args[2];
}

/** TLS files are read when the upstream is built: check now so a typo is a config error. */
function checkTlsFiles(at: Directive, settings: TlsSettings): void {
  for (const file of [settings.certFile, settings.keyFile, settings.caFile]) {
    if (file === undefined) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      throw badValue(at, `forward: tls file '${file}' is not readable`);
    }
  }
}
