/**
 * Unpredictable 16-bit message IDs for queries sent upstream: the ID and the source port are
 * what an off-path attacker must guess to spoof an answer (RFC 5452 §9.2), so they come from
 * the system CSPRNG, drawn in batches to keep the per-query cost to an array read.
 */
import { randomFillSync } from 'node:crypto';

const BATCH = 4096;
const pool = new Uint16Array(BATCH);
let next = BATCH;

/** A random number in [0, 1) with 16 bits of CSPRNG entropy: `floor(x * 65536)` is the ID. */
export function randomId(): number {
  if (next === BATCH) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++] / 65536;
}
