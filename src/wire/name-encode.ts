/**
 * Query-name text (lower case, labels joined by '.', `\DDD` escapes, root '') back to its
 * wire form, for plugins and the server that build queries of their own (autopath, the
 * internal resolver).
 */
import { unescapeLabel } from './label-unescape.js';

/** Wire form of a query-name text; null when a label or the whole name is too long. */
export function encodeName(name: string): Buffer | null {
  const parts: Buffer[] = [];
  let total = 1;
  for (const label of name === '' ? [] : name.split('.')) {
    const bytes = unescapeLabel(label);
    if (bytes.length === 0 || bytes.length > 63) return null;
    total += bytes.length + 1;
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  if (total > 255) return null;
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}
