/**
 * Small parsers for Corefile directive arguments shared by the forward, cache, hosts,
 * loadbalance and loop plugins. Each throws ConfigError naming the directive's file and line.
 */
import type { Directive } from '../../config/directive.js';
import { parseDuration as parseGoDuration } from '../../config/duration.js';
import { ConfigError } from '../../errors.js';

/** A ConfigError for a bad value at the directive's position. */
export function badValue(at: Directive, problem: string): ConfigError {
  return new ConfigError('CONFIG_BAD_VALUE', { file: at.file, line: at.line }, problem);
}

/** A ConfigError for an option the plugin does not know. */
export function unknownOption(plugin: string, at: Directive): ConfigError {
  const problem = `${plugin}: unknown option '${at.name}'`;
  return new ConfigError('CONFIG_UNKNOWN_OPTION', { file: at.file, line: at.line }, problem);
}

/**
 * Parses a Go-style duration (`500ms`, `0.5s`, `10s`, `1m`, `1h30m`) into whole milliseconds.
 * A bare number is read as seconds, as CoreDNS's TTL-like arguments are.
 */
export function parseDuration(at: Directive, text: string, what: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const ms = parseGoDuration(text);
  if (ms === null) {
    throw badValue(at, `${at.name}: ${what} '${text}' is not a duration (e.g. 500ms, 2s, 1m)`);
  }
  return Math.round(ms);
}

/** Parses a whole number within [min, max]. */
export function parseInteger(
  at: Directive,
  text: string,
  what: string,
  min: number,
  max: number,
): number {
  if (!/^\d+$/.test(text)) throw badValue(at, `${at.name}: ${what} '${text}' is not a number`);
  const value = Number(text);
  if (value < min || value > max) {
    throw badValue(at, `${at.name}: ${what} ${value} is outside ${min}..${max}`);
  }
  return value;
}

/** Requires between min and max arguments on an option line. */
export function expectArgs(at: Directive, min: number, max: number): readonly string[] {
  if (at.args.length < min || at.args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw badValue(at, `${at.name}: expects ${want} argument(s), got ${at.args.length}`);
  }
  return at.args;
}

/** Normalizes a zone or name argument: lower case, no trailing dot, root ''. */
export function normalizeZone(text: string): string {
  const lower = text.toLowerCase();
  if (lower === '.') return '';
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True when `name` equals `zone` or lies below it (both normalized; '' is the root). */
export function inZone(name: string, zone: string): boolean {
  if (zone === '') return true;
  if (name.length === zone.length) return name === zone;
  return name.endsWith(zone) && name.charCodeAt(name.length - zone.length - 1) === 46;
}

/** The longest of `zones` that contains `name`, or undefined. */
export function matchZone(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const zone of zones) {
    if (inZone(name, zone) && (best === undefined || zone.length > best.length)) best = zone;
  }
  return best;
}
