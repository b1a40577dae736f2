/**
 * Configuration of the `ready` plugin: `ready [ADDRESS] { monitor until-ready|continuously }`.
 */
import type { Directive } from '../../config/directive.js';
import { optionalListenAddress, soleOptionValue } from '../../config/option-values.js';
import { ConfigError } from '../../errors.js';

export interface ReadyConfig {
  readonly host: string;
  readonly port: number;
  /** false (`until-ready`, the default): a source that was ready once is not asked again. */
  readonly continuously: boolean;
}

/** CoreDNS's default readiness address. */
export const DEFAULT_READY_ADDRESS = ':8181';

export function parseReady(directive: Directive): ReadyConfig {
  const address = optionalListenAddress(directive, DEFAULT_READY_ADDRESS);
  const continuously = soleOptionValue(directive, 'monitor', false, monitorMode);
  return { host: address.host, port: address.port, continuously };
}

/** `monitor until-ready|continuously`: true for `continuously`. */
function monitorMode(line: Directive, mode: string): boolean {
  if (mode !== 'until-ready' && mode !== 'continuously') {
    throw new ConfigError(
      'CONFIG_BAD_VALUE',
      line,
      `ready: monitor "${mode}": expected until-ready or continuously`,
    );
  }
  return mode === 'continuously';
}
