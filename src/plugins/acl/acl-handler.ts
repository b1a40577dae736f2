/**
 * The `acl` plugin's handler: the first rule matching the query's type and the client's
 * address decides. allow passes the query on; block answers REFUSED; filter answers NOERROR
 * with an empty answer section; drop sends nothing. A query no rule matches is allowed, as is
 * every query for a name outside the plugin's zones.
 */
import { errorReply } from '../../chain/assemble-terminal.js';
import type { Handler, Reply } from '../../chain/handler.js';
import type { DnsRequest } from '../../chain/request.js';
import { Rcode } from '../../wire/constants.js';
import { encodeAnswer } from '../../wire/message-writer.js';
import { inZone } from '../forward/directive-args.js';
import type { AclAction, AclConfig, AclRule } from './acl-config.js';

export class AclHandler implements Handler {
  readonly name = 'acl';

  constructor(
    private readonly config: AclConfig,
    private readonly next: Handler,
    /** Counts each decision that stopped a query (block, filter, drop). */
    private readonly onDecision: (action: AclAction, zone: string) => void = () => {},
  ) {}

  serve(request: DnsRequest): Reply | Promise<Reply> {
    const zone = this.config.zones.find((z) => inZone(request.query.name, z));
    if (zone === undefined) return this.next.serve(request);
    const rule = this.config.rules.find((r) => matches(r, request));
    if (rule === undefined || rule.action === 'allow') return this.next.serve(request);

    if (!request.rehearsal) this.onDecision(rule.action, zone);
    request.answeredBy = this.name;
    if (rule.action === 'drop') return null;
    if (rule.action === 'block') return errorReply(request, Rcode.REFUSED);
    return filtered(request);
  }
}

function matches(rule: AclRule, request: DnsRequest): boolean {
  if (rule.types !== null && !rule.types.has(request.query.type)) return false;
  if (rule.networks === null) return true;
  return rule.networks.some((n) => n.contains(request.clientAddress));
}

/** NOERROR with no records: the name's existence is neither confirmed nor denied. */
function filtered(request: DnsRequest): Reply {
  const empty = {
    rcode: Rcode.NOERROR,
    authoritative: false,
    answer: [],
    authority: [],
    additional: [],
  };
  return encodeAnswer(request.query, request.wire, empty, request.maxSize, false).wire;
}
