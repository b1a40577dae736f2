/** Go-style durations and the shared option value parsers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Directive } from '../../src/config/directive.js';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { durationValue, integerValue, listenAddressValue } from '../../src/config/option-values.js';

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['0', 0],
    ['5s', 5000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['1500us', 1.5],
    ['250µs', 0.25],
    ['100ns', 0.0001],
    ['.5s', 500],
    ['10m0s', 600_000],
  ];
  for (const [text, ms] of valid) {
    it(`reads ${text} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }
  for (const text of ['', '5', '-5s', '5 s', 's', '5sec', '1d', '1m30', 'ms5']) {
    it(`refuses ${JSON.stringify(text)}`, () => assert.equal(parseDuration(text), null));
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [30_000, '30s'],
    [90_000, '1m30s'],
    [500, '500ms'],
    [7_200_000, '2h0m0s'],
    [1500, '1.5s'],
  ];
  for (const [ms, text] of cases) {
    it(`writes ${ms} ms as ${text}`, () => assert.equal(formatDuration(ms), text));
  }
});

describe('option values', () => {
  const where: Directive = { name: 'health', args: [], block: [], file: 'Corefile', line: 7 };

  it('reads a duration in range', () => assert.equal(durationValue(where, 'lameduck', '5s'), 5000));
  it('names file, line, option and text of a bad duration', () => {
    assert.throws(() => durationValue(where, 'lameduck', '5'), {
      code: 'CONFIG_BAD_VALUE',
      message: 'Corefile:7: lameduck: "5" is not a duration (e.g. 5s, 1m30s)',
    });
  });
  it('refuses a duration out of range', () => {
    assert.throws(() => durationValue(where, 'lameduck', '2h', 0, 3_600_000), {
      message: 'Corefile:7: lameduck: 2h is out of range',
    });
  });
  it('reads and bounds integers', () => {
    assert.equal(integerValue(where, 'ttl', '30', 0, 3600), 30);
    assert.throws(() => integerValue(where, 'ttl', '3601', 0, 3600), {
      message: 'Corefile:7: ttl: 3601 is out of range 0..3600',
    });
    assert.throws(() => integerValue(where, 'ttl', '3x', 0, 3600), {
      message: 'Corefile:7: ttl: "3x" is not an integer',
    });
  });
  it('reads listen addresses', () => {
    assert.deepEqual(listenAddressValue(where, 'prometheus', ':9153'), { host: '', port: 9153 });
    assert.deepEqual(listenAddressValue(where, 'prometheus', '127.0.0.1:0'), {
      host: '127.0.0.1',
      port: 0,
    });
    assert.deepEqual(listenAddressValue(where, 'prometheus', '[::1]:9153'), {
      host: '::1',
      port: 9153,
    });
    assert.throws(() => listenAddressValue(where, 'prometheus', 'localhost'), {
      message: 'Corefile:7: prometheus: "localhost" is not HOST:PORT or :PORT',
    });
  });
});
