/**
 * Backoff: doubling from the initial delay to the cap, with equal jitter, and reset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../src/cluster/api/backoff.js';

test('doubles up to the cap; jitter keeps each delay in [d/2, d]; reset starts over', () => {
  const high = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0.999999 });
  const highs = Array.from({ length: 9 }, () => high.next());
  assert.deepEqual(highs, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  const low = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0 });
  const lows = Array.from({ length: 8 }, () => low.next());
  assert.deepEqual(lows, [250, 500, 1000, 2000, 4000, 8000, 15000, 15000]);
  low.reset();
  assert.equal(low.next(), 250);
});
