/**
 * A pool of shared strings. Parsed JSON holds a separate copy of every repeated string (each
 * object's namespace, port names, protocols); sharing one copy keeps thousands of stripped
 * objects small.
 */

// Bounded so that a long-lived process with churning names cannot grow it without limit;
// clearing only costs some sharing, never correctness.
const MAX_ENTRIES = 50_000;

const pool = new Map<string, string>();

/** The pooled copy of `text` (equal by value to `text`). */
export function intern(text: string): string {
  const pooled = pool.get(text);
  if (pooled !== undefined) return pooled;
  if (pool.size >= MAX_ENTRIES) pool.clear();
  pool.set(text, text);
  return text;
}
