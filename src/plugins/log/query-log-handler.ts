/**
 * The `log` plugin's link in the chain: passes the query on and, once the reply is known,
 * prints one line for it when its name and response class are selected. A query the chain
 * throws on is logged as the SERVFAIL the server will send; a dropped query (no reply) is not
 * logged, since nothing was answered.
 */
import type { Handler, Reply } from '../../chain/handler.js';
import type { DnsRequest } from '../../chain/request.js';
import { Rcode } from '../../wire/constants.js';
import { encodeError } from '../../wire/message-writer.js';
import { renderLine, type CompiledFormat } from './log-format.js';
import type { LineSink } from './line-sink.js';
import { classifyReply, type ResponseClass } from './response-class.js';

export interface LogRule {
  /** Zones whose names are logged, lower case without trailing dot; '' is every name. */
  readonly zones: readonly string[];
  readonly format: CompiledFormat;
  readonly classes: ReadonlySet<ResponseClass>;
}

export class QueryLogHandler implements Handler {
  readonly name = 'log';

  constructor(
    private readonly next: Handler,
    private readonly rules: readonly LogRule[],
    private readonly sink: LineSink,
    private readonly now: () => bigint = process.hrtime.bigint,
  ) {}

  serve(request: DnsRequest): Reply | Promise<Reply> {
    if (request.rehearsal) return this.next.serve(request);
    let result: Reply | Promise<Reply>;
    try {
      result = this.next.serve(request);
    } catch (err) {
      this.logFailure(request);
      throw err;
    }
    if (result instanceof Promise) {
      return result.then(
        (reply) => {
          this.log(request, reply);
          return reply;
        },
        (err: unknown) => {
          this.logFailure(request);
          throw err;
        },
      );
    }
    this.log(request, result);
    return result;
  }

  private log(request: DnsRequest, reply: Reply): void {
    if (!reply) return;
    const rule = this.rules.find((r) => inZones(request.query.name, r.zones));
    if (!rule || !rule.classes.has(classifyReply(reply))) return;
    const durationNs = Number(this.now() - request.startedAt);
    this.sink.write(`[INFO] ${renderLine(rule.format, { request, reply, durationNs })}`);
  }

  private logFailure(request: DnsRequest): void {
    const { query, wire } = request;
    this.log(request, encodeError(wire, query.questionEnd, Rcode.SERVFAIL, query.edns));
  }
}

function inZones(name: string, zones: readonly string[]): boolean {
  return zones.some((zone) => zone === '' || name === zone || name.endsWith(`.${zone}`));
}
