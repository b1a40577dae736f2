/**
 * Configuration of the `ready` plugin: `ready [ADDRESS] { monitor until-ready|continuously }`.
 */
import type { Directive } from '../../config/directive.js';
import { expectArgs, listenAddressValue } from '../../config/option-values.js';
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
  expectArgs(directive, 0, 1);
  const address = listenAddressValue(
    directive,
    'ready',
    directive.args[0] ?? DEFAULT_READY_ADDRESS,
  );
  let continuously = false;
  for (const option of directive.block) {
    if (option.name !== 'monitor') {
      throw new ConfigError(
        'CONFIG_UNKNOWN_OPTION',
        option,
        `ready: unknown option "${option.name}"`,
      );
    }
    expectArgs(option, 1, 1);
    const mode = option.args[0];
    if (mode !== 'until-ready' && mode !== 'continuously') {
      throw new ConfigError(
        'CONFIG_BAD_VALUE',
        option,
        `ready: monitor "${mode}": expected until-ready or continuously`,
      );
    }
    continuously = mode === 'continuously';
  }
  return { host: address.host, port: address.port, continuously };
}
