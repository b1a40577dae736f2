/**
 * Configuration of the `reload` plugin: `reload [INTERVAL] [JITTER]`.
 *
 * CoreDNS's defaults are 30 s and 15 s, with the jitter capped at half the interval. CoreDNS
 * refuses intervals under 2 s; clusterdns accepts down to 100 ms so tests need not wait.
 */
import type { Directive } from '../../config/directive.js';
import { durationValue, expectArgs, expectNoBlock } from '../../config/option-values.js';

export interface ReloadConfig {
  readonly intervalMs: number;
  readonly jitterMs: number;
}

const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_JITTER_MS = 15_000;
const MIN_INTERVAL_MS = 100;

export function parseReload(directive: Directive): ReloadConfig {
  expectArgs(directive, 0, 2);
  expectNoBlock(directive);
  const [intervalText, jitterText] = directive.args;
  const intervalMs = intervalText
    ? durationValue(directive, 'reload interval', intervalText, MIN_INTERVAL_MS)
    : DEFAULT_INTERVAL_MS;
  const jitterMs = jitterText
    ? durationValue(directive, 'reload jitter', jitterText, 0)
    : DEFAULT_JITTER_MS;
  return { intervalMs, jitterMs: Math.min(jitterMs, intervalMs / 2) };
}
