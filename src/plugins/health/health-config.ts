/**
 * Configuration of the `health` plugin: `health [ADDRESS] { lameduck DURATION }`.
 */
import type { Directive } from '../../config/directive.js';
import {
  durationValue,
  optionalListenAddress,
  soleOptionValue,
} from '../../config/option-values.js';

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
  const address = optionalListenAddress(directive, DEFAULT_HEALTH_ADDRESS);
  const lameduckMs = soleOptionValue(directive, 'lameduck', 0, (line, text) =>
    durationValue(line, 'lameduck', text, 0),
  );
  return { host: address.host, port: address.port, lameduckMs };
}
