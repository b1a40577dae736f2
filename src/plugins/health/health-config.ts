/**
 * Configuration of the `health` plugin: `health [ADDRESS] { lameduck DURATION }`.
 */
import type { Directive } from '../../config/directive.js';
import { durationValue, expectArgs, listenAddressValue } from '../../config/option-values.js';
import { ConfigError } from '../../errors.js';

export interface HealthConfig {
  /** '' binds every interface. */
  readonly host: string;
  readonly port: number;
  /** How long DNS keeps answering after SIGTERM while readiness fails; 0 for none. */
  readonly lameduckMs: number;
}

/** CoreDNS's default health address. */
export const DEFAULT_HEALTH_ADDRESS = ':8080';

export function parseHealth(directive: Directive): HealthConfig {
  expectArgs(directive, 0, 1);
  const address = listenAddressValue(
    directive,
    'health',
    directive.args[0] ?? DEFAULT_HEALTH_ADDRESS,
  );
  let lameduckMs = 0;
  for (const option of directive.block) {
    if (option.name !== 'lameduck') {
      throw new ConfigError(
        'CONFIG_UNKNOWN_OPTION',
        option,
        `health: unknown option "${option.name}"`,
      );
    }
    expectArgs(option, 1, 1);
    lameduckMs = durationValue(option, 'lameduck', option.args[0], 0);
  }
  return { host: address.host, port: address.port, lameduckMs };
}
