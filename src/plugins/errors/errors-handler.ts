/**
 * The `errors` plugin's link in the chain: the block's error log. A query the chain throws on is
 * logged, counted and answered SERVFAIL here (so the server's own boundary does not log it
 * again; the count is the server's `coredns_panics_total`, so alerts see every throw); a
 * SERVFAIL that a plugin wrote itself (e.g. every upstream failed) is logged too. Errors that
 * match a `consolidate` rule are folded into one summary per period instead.
 */
import type { Logger } from 'pino';
import type { Closable, Handler, Reply } from '../../chain/handler.js';
import type { DnsRequest } from '../../chain/request.js';
import { Rcode } from '../../wire/constants.js';
import { encodeError } from '../../wire/message-writer.js';
import { typeMnemonic } from '../log/dns-mnemonics.js';
import type { ErrorFolder } from './error-folder.js';

export class ErrorsHandler implements Handler, Closable {
  readonly name = 'errors';

  constructor(
    private readonly next: Handler,
    private readonly folders: readonly ErrorFolder[],
    private readonly logger: Logger,
    private readonly stacktrace: boolean,
    /** Counts a query that threw (`coredns_panics_total`), as the server would have. */
    private readonly countThrow: () => void,
  ) {}

  serve(request: DnsRequest): Reply | Promise<Reply> {
    if (request.rehearsal) return this.next.serve(request);
    let result: Reply | Promise<Reply>;
    try {
      result = this.next.serve(request);
    } catch (err) {
      return this.fail(request, err);
    }
    if (result instanceof Promise) {
      return result.then(
        (reply) => this.inspect(request, reply),
        (err: unknown) => this.fail(request, err),
      );
    }
    return this.inspect(request, result);
  }

  close(): void {
    for (const folder of this.folders) folder.flush();
  }

  private inspect(request: DnsRequest, reply: Reply): Reply {
    if (reply && (reply[3] & 0x0f) === Rcode.SERVFAIL) {
      const by = request.answeredBy || 'a plugin';
      this.report(request, `${by} answered SERVFAIL`, undefined);
    }
    return reply;
  }

  private fail(request: DnsRequest, err: unknown): Buffer {
    this.countThrow();
    const message = err instanceof Error ? err.message : String(err);
    this.report(request, message, err);
    const { query, wire } = request;
    return encodeError(wire, query.questionEnd, Rcode.SERVFAIL, query.edns);
  }

  private report(request: DnsRequest, message: string, err: unknown): void {
    const fields = {
      rcode: 'SERVFAIL',
      name: request.query.name === '' ? '.' : `${request.query.name}.`,
      type: typeMnemonic(request.query.type),
      error: message,
      ...(this.stacktrace && err instanceof Error ? { stack: err.stack } : {}),
    };
    const log = () => this.logger.error(fields, 'query failed');
    const folder = this.folders.find((f) => f.matches(message));
    if (folder) folder.add(log);
    else log();
  }
}
