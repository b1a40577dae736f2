/**
 * A small seeded pseudo-random generator (the mulberry32 mixing function), so that every run
 * of the benchmark sends the same query file in the same order.
 */

/** Returns a function giving numbers in [0, 1), fully determined by `seed`. */
export function createPrng(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
