/**
 * Kubernetes label selectors in their string form (`kubectl -l`, CoreDNS `labels`):
 * comma-separated requirements, each one of `key`, `!key`, `key=value`, `key==value`,
 * `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key>N`, `key<N`. All requirements must
 * hold. As in Kubernetes, `!=` and `notin` also match objects without the key.
 *
 * Written here because the npm packages for this are UI widgets, not parsers.
 */
import { LabelSelectorError } from '../errors.js';

type Operator = 'exists' | 'absent' | '=' | '!=' | 'in' | 'notin' | '>' | '<';

interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: ReadonlySet<string>;
  readonly bound: number;
}

/** A parsed selector; an empty selector matches everything. */
export interface LabelSelector {
  readonly empty: boolean;
  matches(labels: ReadonlyMap<string, string>): boolean;
}

// Label keys are `[prefix/]name`: prefix a DNS subdomain, name up to 63 characters.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Parses a selector; throws LabelSelectorError (code CONFIG_BAD_VALUE) naming the offset. */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements = new SelectorParser(text).parse();
  return {
    empty: requirements.length === 0,
    matches: (labels) => requirements.every((requirement) => holds(requirement, labels)),
  };
}

function holds(requirement: Requirement, labels: ReadonlyMap<string, string>): boolean {
  const value = labels.get(requirement.key);
  switch (requirement.operator) {
    case 'exists':
      return value !== undefined;
    case 'absent':
      return value === undefined;
    case '=':
    case 'in':
      return value !== undefined && requirement.values.has(value);
    case '!=':
    case 'notin':
      return value === undefined || !requirement.values.has(value);
    case '>':
    case '<':
      return compares(value, requirement);
  }
}

function compares(value: string | undefined, requirement: Requirement): boolean {
  if (value === undefined || !/^-?\d+$/.test(value)) return false;
  const number = Number(value);
  return requirement.operator === '>' ? number > requirement.bound : number < requirement.bound;
}

const SPECIAL = new Set([',', '(', ')', '=', '!', '<', '>']);

class SelectorParser {
  private at = 0;

  constructor(private readonly text: string) {}

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    this.skipSpace();
    if (this.at === this.text.length) return requirements;
    for (;;) {
      requirements.push(this.requirement());
      this.skipSpace();
      if (this.at === this.text.length) return requirements;
      this.expect(',');
    }
  }

  private requirement(): Requirement {
    this.skipSpace();
    if (this.take('!')) return this.build(this.key(), 'absent', []);
    const key = this.key();
    this.skipSpace();
    if (this.at === this.text.length || this.peek() === ',') return this.build(key, 'exists', []);
    if (this.take('==') || this.take('=')) return this.build(key, '=', [this.value()]);
    if (this.take('!=')) return this.build(key, '!=', [this.value()]);
    if (this.take('>')) return this.build(key, '>', [], this.integer());
    if (this.take('<')) return this.build(key, '<', [], this.integer());
    const start = this.at;
    const word = this.word();
    if (word === 'in' || word === 'notin') return this.build(key, word, this.valueSet());
    return this.fail(start, `expected an operator after "${key}"`);
  }

  private build(key: string, operator: Operator, values: string[], bound = 0): Requirement {
    return { key, operator, values: new Set(values), bound };
  }

  private key(): string {
    this.skipSpace();
    const start = this.at;
    const key = this.word();
    if (key === '') return this.fail(start, 'expected a label key');
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? '' : key.slice(0, slash);
    const name = key.slice(slash + 1);
    const prefixOk = slash < 0 || (prefix.length <= 253 && PREFIX.test(prefix));
    if (!prefixOk || name.length > 63 || !NAME.test(name)) {
      return this.fail(start, `"${key}" is not a valid label key`);
    }
    return key;
  }

  private value(): string {
    this.skipSpace();
    const start = this.at;
    const value = this.word();
    if (value !== '' && (value.length > 63 || !NAME.test(value))) {
      return this.fail(start, `"${value}" is not a valid label value`);
    }
    return value;
  }

  private integer(): number {
    this.skipSpace();
    const start = this.at;
    const word = this.word();
    if (!/^-?\d+$/.test(word)) return this.fail(start, `"${word}" is not an integer`);
    return Number(word);
  }

  /** `( value, value, ... )`; `()` is the set of the empty value, as in Kubernetes. */
  private valueSet(): string[] {
    this.skipSpace();
    this.expect('(');
    const values = [this.value()];
    this.skipSpace();
    while (this.take(',')) {
      values.push(this.value());
      this.skipSpace();
    }
    this.expect(')');
    return values;
  }

  private word(): string {
    const start = this.at;
    while (this.at < this.text.length && !this.isDelimiter(this.text[this.at])) this.at++;
    return this.text.slice(start, this.at);
  }

  private isDelimiter(char: string): boolean {
    return SPECIAL.has(char) || /\s/.test(char);
  }

  private skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at])) this.at++;
  }

  private peek(): string {
    return this.text[this.at];
  }

  private take(token: string): boolean {
    if (!this.text.startsWith(token, this.at)) return false;
    this.at += token.length;
    return true;
  }

  private expect(token: string): void {
    this.skipSpace();
    if (!this.take(token)) this.fail(this.at, `expected "${token}"`);
  }

  private fail(offset: number, problem: string): never {
    throw new LabelSelectorError(this.text, offset, problem);
  }
}
