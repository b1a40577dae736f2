/**
 * The `cache [TTL] [ZONES...] { ... }` directive, with CoreDNS's defaults (cache README): caps
 * of 3600 s for success and 1800 s for denial, a 5 s minimum TTL, 9984 entries each, prefetch
 * after 1 minute windows at 10 % TTL left, serve_stale for 1 hour, SERVFAIL kept 5 s.
 */
import type { Directive } from '../../config/directive.js';
import {
  badValue,
  expectArgs,
  normalizeZone,
  parseDuration,
  parseInteger,
  unknownOption,
} from '../forward/directive-args.js';

export interface CacheSection {
  readonly capacity: number;
  /** Cap on the entry TTL, seconds. */
  readonly maxTtl: number;
  /** Floor on the entry TTL, seconds. */
  readonly minTtl: number;
}

export interface PrefetchSettings {
  /** Hits within one window that make an entry popular. */
  readonly amount: number;
  /** A gap this long between hits resets the count. */
  readonly windowMs: number;
  /** Refresh once less than this fraction of the TTL is left. */
  readonly fraction: number;
}

export interface ServeStaleSettings {
  /** How long past expiry an entry may still be served. */
  readonly durationMs: number;
  /** `verify`: ask upstream first and serve stale only if that fails. */
  readonly verify: boolean;
}

export interface CacheConfig {
  readonly zones: readonly string[];
  readonly success: CacheSection;
  readonly denial: CacheSection;
  readonly prefetch: PrefetchSettings | null;
  readonly serveStale: ServeStaleSettings | null;
  /** Zones whose success (resp. denial) answers are not stored. */
  readonly disableSuccess: readonly string[];
  readonly disableDenial: readonly string[];
  readonly keepTtl: boolean;
  /** How long a SERVFAIL is kept; 0 turns that off. */
  readonly servfailMs: number;
}

const DEFAULT_CAPACITY = 9984;
const MAX_TTL_LIMIT = 7 * 24 * 3600;

export function parseCache(directive: Directive, blockZones: readonly string[]): CacheConfig {
  let args = [...directive.args];
  let maxTtl: number | null = null;
  if (args.length > 0 && /^\d+$/.test(args[0])) {
    maxTtl = parseInteger(directive, args[0], 'TTL', 0, MAX_TTL_LIMIT);
    args = args.slice(1);
  }
  const zones = args.length > 0 ? args.map(normalizeZone) : [...blockZones];
  const config = {
    zones,
    success: { capacity: DEFAULT_CAPACITY, maxTtl: maxTtl ?? 3600, minTtl: 5 },
    denial: { capacity: DEFAULT_CAPACITY, maxTtl: maxTtl ?? 1800, minTtl: 5 },
    prefetch: null as PrefetchSettings | null,
    serveStale: null as ServeStaleSettings | null,
    disableSuccess: [] as string[],
    disableDenial: [] as string[],
    keepTtl: false,
    servfailMs: 5000,
  };
  for (const option of directive.block) {
    switch (option.name) {
      case 'success':
        config.success = parseSection(option, config.success);
        break;
      case 'denial':
        config.denial = parseSection(option, config.denial);
        break;
      case 'prefetch':
        config.prefetch = parsePrefetch(option);
        break;
      case 'serve_stale':
        config.serveStale = parseServeStale(option);
        break;
      case 'disable':
        parseDisable(option, zones, config.disableSuccess, config.disableDenial);
        break;
      case 'keepttl':
        expectArgs(option, 0, 0);
        config.keepTtl = true;
        break;
      case 'servfail':
        config.servfailMs = parseServfail(option);
        break;
      default:
        // Not implemented: serve_stale_policy and serve_stale's verify timeout/TTL/recheck
        // arguments (recent CoreDNS additions). Eviction is LRU, where CoreDNS evicts at random
        // within 256 shards; capacities are exact, not rounded to multiples of 256.
        throw unknownOption('cache', option);
    }
  }
  return Object.freeze(config);
}

/** `success|denial CAPACITY [TTL] [MINTTL]`. */
function parseSection(at: Directive, current: CacheSection): CacheSection {
  const [cap, ttl, min] = expectArgs(at, 1, 3);
  const section = {
    capacity: parseInteger(at, cap, 'capacity', 1, 10_000_000),
    maxTtl: ttl === undefined ? current.maxTtl : parseInteger(at, ttl, 'TTL', 0, MAX_TTL_LIMIT),
    minTtl:
      min === undefined ? current.minTtl : parseInteger(at, min, 'minimum TTL', 0, MAX_TTL_LIMIT),
  };
  if (section.minTtl > section.maxTtl) {
    const problem = `minimum TTL ${section.minTtl} is above the TTL ${section.maxTtl}`;
    throw badValue(at, `${at.name}: ${problem}`);
  }
  return section;
}

/** `prefetch AMOUNT [DURATION] [PERCENTAGE%]`; the percentage must be 10-90 %. */
function parsePrefetch(at: Directive): PrefetchSettings {
  const args = expectArgs(at, 1, 3);
  const amount = parseInteger(at, args[0], 'amount', 1, 1_000_000);
  let windowMs = 60_000;
  let fraction = 0.1;
  for (const arg of args.slice(1)) {
    if (arg.endsWith('%')) {
      fraction = parseInteger(at, arg.slice(0, -1), 'percentage', 10, 90) / 100;
    } else {
      windowMs = parseDuration(at, arg, 'duration');
    }
  }
  return { amount, windowMs, fraction };
}

/** `serve_stale [DURATION] [immediate|verify]`. */
function parseServeStale(at: Directive): ServeStaleSettings {
  const args = expectArgs(at, 0, 2);
  let durationMs = 3_600_000;
  let verify = false;
  for (const arg of args) {
    if (arg === 'immediate' || arg === 'verify') verify = arg === 'verify';
    else durationMs = parseDuration(at, arg, 'duration');
  }
  if (durationMs <= 0) throw badValue(at, 'serve_stale: duration must be greater than zero');
  return { durationMs, verify };
}

/** `disable success|denial [ZONES...]`: without zones, the cache's own zones. */
function parseDisable(
  at: Directive,
  zones: readonly string[],
  success: string[],
  denial: string[],
): void {
  const [kind, ...rest] = expectArgs(at, 1, 64);
  const target = kind === 'success' ? success : kind === 'denial' ? denial : null;
  if (!target) throw badValue(at, `disable: '${kind}' is not success or denial`);
  target.push(...(rest.length > 0 ? rest.map(normalizeZone) : zones));
}

/** `servfail DURATION`, at most 5 minutes; 0 turns it off. */
function parseServfail(at: Directive): number {
  const ms = parseDuration(at, expectArgs(at, 1, 1)[0], 'duration');
  if (ms > 300_000) throw badValue(at, 'servfail: duration is above the 5m maximum');
  return ms;
}
