/**
 * Small value parsers shared by the plugins' `parse` functions. Each reads one argument of a
 * directive and throws ConfigError (CONFIG_BAD_VALUE) naming the directive's file and line, the
 * option and the bad text, so every plugin reports bad values the same way.
 */
import { ConfigError } from '../errors.js';
import type { Directive } from './directive.js';
import { parseDuration } from './duration.js';

/** A Go-style duration argument (`5s`, `1m30s`) in milliseconds, within [min, max] ms. */
export function durationValue(
  where: Directive,
  option: string,
  text: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const ms = parseDuration(text);
  if (ms === null) throw badValue(where, `${option}: "${text}" is not a duration (e.g. 5s, 1m30s)`);
  if (ms < min || ms > max) throw badValue(where, `${option}: ${text} is out of range`);
  return ms;
}

/** A decimal integer argument within [min, max]. */
export function integerValue(
  where: Directive,
  option: string,
  text: string,
  min: number,
  max: number,
): number {
  if (!/^-?\d+$/.test(text)) throw badValue(where, `${option}: "${text}" is not an integer`);
  const value = Number(text);
  if (value < min || value > max) {
    throw badValue(where, `${option}: ${text} is out of range ${min}..${max}`);
  }
  return value;
}

/** A listen address `[HOST]:PORT`, `HOST:PORT` or `:PORT`; port 0 asks for any free port. */
export function listenAddressValue(
  where: Directive,
  option: string,
  text: string,
): { host: string; port: number } {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (!match) throw badValue(where, `${option}: "${text}" is not HOST:PORT or :PORT`);
  const port = integerValue(where, option, match[3], 0, 65535);
  return { host: match[1] ?? match[2] ?? '', port };
}

/**
 * The directive's optional sole argument, `[ADDRESS]`, read as a listen address; `fallback`
 * when it is absent. Throws CONFIG_BAD_VALUE, naming the directive, for more than one argument
 * or a bad address.
 */
export function optionalListenAddress(
  where: Directive,
  fallback: string,
): { host: string; port: number } {
  expectArgs(where, 0, 1);
  return listenAddressValue(where, where.name, where.args[0] ?? fallback);
}

/**
 * Reads a block whose only option is `OPTION VALUE`: each line is checked in order by `read`
 * and the last one wins; `fallback` when the block has none. Throws CONFIG_UNKNOWN_OPTION at
 * the first other line, CONFIG_BAD_VALUE at a line without exactly one argument, and whatever
 * `read` throws.
 */
export function soleOptionValue<T>(
  where: Directive,
  option: string,
  fallback: T,
  read: (line: Directive, text: string) => T,
): T {
  let value = fallback;
  for (const line of where.block) {
    if (line.name !== option) throw unknownOption(where.name, line);
    expectArgs(line, 1, 1);
    value = read(line, line.args[0]);
  }
  return value;
}

/** Throws unless the directive has between min and max arguments. */
export function expectArgs(where: Directive, min: number, max: number): void {
  const n = where.args.length;
  if (n >= min && n <= max) return;
  const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  throw new ConfigError(
    'CONFIG_BAD_VALUE',
    where,
    `${where.name}: expected ${wanted} argument(s), got ${n}`,
  );
}

/** Throws unless the directive has no nested block. */
export function expectNoBlock(where: Directive): void {
  if (where.block.length === 0) return;
  throw new ConfigError(
    'CONFIG_UNKNOWN_OPTION',
    where.block[0],
    `${where.name}: takes no block options`,
  );
}

/** A CONFIG_UNKNOWN_OPTION error at `option`: `PLUGIN: unknown option "NAME"`. */
export function unknownOption(plugin: string, option: Directive): ConfigError {
  return new ConfigError(
    'CONFIG_UNKNOWN_OPTION',
    option,
    `${plugin}: unknown option "${option.name}"`,
  );
}

function badValue(where: Directive, problem: string): ConfigError {
  return new ConfigError('CONFIG_BAD_VALUE', where, problem);
}
