/**
 * Parses `chaos [VERSION] [AUTHORS...]`. Nothing about the software is revealed unless the
 * operator writes it: without VERSION the version names are refused, without AUTHORS so is
 * `authors.bind`. The host name answers `hostname.bind` and `id.server` (RFC 4892), as it
 * identifies the instance, not the software.
 */
import type { Directive } from '../../config/directive.js';
import { expectNoBlock } from '../../config/option-values.js';
import { badValue } from '../forward/directive-args.js';

export interface ChaosConfig {
  /** Answer of `version.bind` and `version.server`; null refuses them. */
  readonly version: string | null;
  /** One TXT string per author for `authors.bind`; empty refuses it. */
  readonly authors: readonly string[];
}

/** TXT character strings hold at most 255 octets (RFC 1035 §3.3). */
const MAX_TEXT_OCTETS = 255;

export function parseChaos(directive: Directive): ChaosConfig {
  expectNoBlock(directive);
  const [version = null, ...authors] = directive.args;
  for (const text of directive.args) {
    if (Buffer.byteLength(text) > MAX_TEXT_OCTETS) {
      throw badValue(directive, `chaos: "${text.slice(0, 20)}..." is over 255 octets`);
    }
  }
  return Object.freeze({ version, authors: Object.freeze(authors) });
}
