/**
 * The prometheus plugin's link in the chain: passes every query on and records it once the
 * reply is known, whether the next handler answers at once or with a promise.
 */
import type { Handler, Reply } from '../../chain/handler.js';
import type { DnsRequest } from '../../chain/request.js';
import { Rcode } from '../../wire/constants.js';
import type { QueryRecorder } from './query-recorder.js';

export class MetricsHandler implements Handler {
  readonly name = 'prometheus';

  constructor(
    private readonly next: Handler,
    private readonly recorder: QueryRecorder,
  ) {}

  serve(request: DnsRequest): Reply | Promise<Reply> {
    if (request.rehearsal) return this.next.serve(request);
    let result: Reply | Promise<Reply>;
    try {
      result = this.next.serve(request);
    } catch (err) {
      this.recorder.record(request, null, Rcode.SERVFAIL);
      throw err;
    }
    if (result instanceof Promise) {
      return result.then(
        (reply) => {
          this.recorder.record(request, reply);
          return reply;
        },
        (err: unknown) => {
          this.recorder.record(request, null, Rcode.SERVFAIL);
          throw err;
        },
      );
    }
    this.recorder.record(request, result);
    return result;
  }
}
