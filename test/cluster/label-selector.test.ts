import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSelector } from '../../src/cluster/label-selector.js';
import { LabelSelectorError } from '../../src/errors.js';

const labels = (entries: Record<string, string>): ReadonlyMap<string, string> =>
  new Map(Object.entries(entries));

const web = labels({ app: 'web', tier: 'frontend', 'example.com/team': 'shop', replicas: '3' });
const db = labels({ app: 'db', tier: 'backend' });
const bare = labels({});

// (selector, matches web, matches db, matches bare)
const TABLE: readonly [string, boolean, boolean, boolean][] = [
  ['', true, true, true],
  ['app=web', true, false, false],
  ['app==web', true, false, false],
  ['app = web', true, false, false],
  ['app!=web', false, true, true],
  ['tier', true, true, false],
  ['!tier', false, false, true],
  [' ! tier ', false, false, true],
  ['app in (web,db)', true, true, false],
  ['app in ( web , cache )', true, false, false],
  ['app notin (web)', false, true, true],
  ['app=web,tier=frontend', true, false, false],
  ['app=web,tier=backend', false, false, false],
  ['example.com/team=shop', true, false, false],
  ['example.com/team', true, false, false],
  ['replicas>2', true, false, false],
  ['replicas<3', false, false, false],
  ['replicas<4,app', true, false, false],
  ['app=', false, false, false],
  ['app in (web),!release,tier notin (backend)', true, false, false],
];

describe('label selector', () => {
  for (const [selector, onWeb, onDb, onBare] of TABLE) {
    it(`"${selector}"`, () => {
      const parsed = parseLabelSelector(selector);
      assert.equal(parsed.empty, selector === '');
      assert.deepEqual(
        [parsed.matches(web), parsed.matches(db), parsed.matches(bare)],
        [onWeb, onDb, onBare],
      );
    });
  }

  it('matches an empty value with key=', () => {
    assert.equal(parseLabelSelector('flag=').matches(labels({ flag: '' })), true);
    assert.equal(parseLabelSelector('flag in ()').matches(labels({ flag: '' })), true);
  });

  // (selector, offset of the problem, problem)
  const ERRORS: readonly [string, number, string][] = [
    ['app=web tier', 8, 'expected ","'],
    ['app in web', 7, 'expected "("'],
    ['app in (web', 11, 'expected ")"'],
    ['=web', 0, 'expected a label key'],
    ['app=web,', 8, 'expected a label key'],
    ['app=-web', 4, '"-web" is not a valid label value'],
    ['Bad_Prefix/app=x', 0, '"Bad_Prefix/app" is not a valid label key'],
    ['app~web', 0, '"app~web" is not a valid label key'],
    ['app is web', 4, 'expected an operator after "app"'],
    ['replicas>three', 9, '"three" is not an integer'],
  ];
  for (const [selector, offset, problem] of ERRORS) {
    it(`rejects "${selector}"`, () => {
      assert.throws(
        () => parseLabelSelector(selector),
        (error: unknown) => {
          assert.ok(error instanceof LabelSelectorError);
          assert.equal(error.code, 'CONFIG_BAD_VALUE');
          assert.equal(error.offset, offset);
          assert.equal(error.problem, problem);
          assert.equal(error.message, `label selector "${selector}" at ${offset + 1}: ${problem}`);
          return true;
        },
      );
    });
  }
});
