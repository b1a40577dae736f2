/**
 * Parses `acl [ZONES...] { ACTION [type QTYPE...] [net CIDR...] }` (CoreDNS's acl syntax).
 * ACTION is allow, block, filter or drop; rules are kept in the order written, since the
 * first rule that matches decides. A rule without `type` matches every type, one without `net`
 * every client; `*` in either list means all as well.
 */
import { createRequire } from 'node:module';
import type { Directive } from '../../config/directive.js';
import { badValue, normalizeZone, unknownOption } from '../forward/directive-args.js';
import { Network } from './network.js';

export type AclAction = 'allow' | 'block' | 'filter' | 'drop';

const ACTIONS: ReadonlySet<string> = new Set(['allow', 'block', 'filter', 'drop']);

export interface AclRule {
  readonly action: AclAction;
  /** Query types this rule matches; null matches every type. */
  readonly types: ReadonlySet<number> | null;
  /** Client networks this rule matches; null matches every client. */
  readonly networks: readonly Network[] | null;
}

export interface AclConfig {
  /** Zones the rules apply to, normalized; queries outside them pass untouched. */
  readonly zones: readonly string[];
  readonly rules: readonly AclRule[];
}

// dns-packet's type table knows every registered mnemonic; it ships without typings for it.
const dnsTypes = createRequire(import.meta.url)('dns-packet/types.js') as {
  toType(name: string): number;
};

export function parseAcl(directive: Directive, blockZones: readonly string[]): AclConfig {
  const zones = directive.args.length > 0 ? directive.args.map(normalizeZone) : [...blockZones];
  if (directive.block.length === 0) throw badValue(directive, 'acl: needs at least one rule');
  const rules = directive.block.map(parseRule);
  return Object.freeze({ zones: Object.freeze(zones), rules: Object.freeze(rules) });
}

function parseRule(line: Directive): AclRule {
  if (!ACTIONS.has(line.name)) throw unknownOption('acl', line);
  let types: Set<number> | null = null;
  let networks: Network[] | null = null;
  let list: 'type' | 'net' | null = null;
  let all = { type: false, net: false };
  for (const word of line.args) {
    if (word === 'type' || word === 'net') {
      list = word;
      if (word === 'type') types ??= new Set();
      else networks ??= [];
      continue;
    }
    if (list === null) throw badValue(line, `acl: expected "type" or "net" before "${word}"`);
    if (word === '*') all = { ...all, [list]: true };
    else if (list === 'type') types?.add(typeCode(line, word));
    else networks?.push(network(line, word));
  }
  if (types?.size === 0 && !all.type) throw badValue(line, 'acl: "type" needs at least one QTYPE');
  if (networks?.length === 0 && !all.net)
    throw badValue(line, 'acl: "net" needs at least one CIDR');
  return Object.freeze({
    action: line.name as AclAction,
    types: all.type ? null : types,
    networks: all.net ? null : networks,
  });
}

function typeCode(line: Directive, word: string): number {
  const upper = word.toUpperCase();
  const numeric = /^TYPE(\d{1,5})$/.exec(upper);
  const code = numeric ? Number(numeric[1]) : dnsTypes.toType(upper);
  if (code <= 0 || code > 65535) throw badValue(line, `acl: "${word}" is not a query type`);
  return code;
}

function network(line: Directive, word: string): Network {
  const parsed = Network.parse(word);
  if (typeof parsed === 'string') throw badValue(line, `acl: ${parsed}`);
  return parsed;
}
