/**
 * The `chaos` plugin's handler: answers the identity names of class CH (`version.bind`,
 * `version.server`, `authors.bind`, `hostname.bind`, `id.server`) with TXT records, and
 * REFUSES every other class CH query, so that no CHAOS question is ever passed on to an
 * upstream resolver, which would answer with its own software version.
 */
import { errorReply } from '../../chain/assemble-terminal.js';
import type { Handler, Reply } from '../../chain/handler.js';
import type { DnsRequest } from '../../chain/request.js';
import { RRClass, RRType, Rcode } from '../../wire/constants.js';
import type { ChaosConfig } from './chaos-config.js';
import { chaosTxtReply } from './chaos-reply.js';

export class ChaosHandler implements Handler {
  readonly name = 'chaos';
  /** TXT strings per name; a name absent here is refused. */
  private readonly answers = new Map<string, readonly string[]>();

  constructor(
    config: ChaosConfig,
    hostname: string,
    private readonly next: Handler,
  ) {
    if (config.version !== null) {
      this.answers.set('version.bind', [config.version]);
      this.answers.set('version.server', [config.version]);
    }
    if (config.authors.length > 0) this.answers.set('authors.bind', config.authors);
    this.answers.set('hostname.bind', [hostname]);
    this.answers.set('id.server', [hostname]);
  }

  serve(request: DnsRequest): Reply | Promise<Reply> {
    const query = request.query;
    if (query.class !== RRClass.CH) return this.next.serve(request);
    request.answeredBy = this.name;
    const texts = query.type === RRType.TXT ? this.answers.get(query.name) : undefined;
    if (texts === undefined) return errorReply(request, Rcode.REFUSED);
    return chaosTxtReply(request, texts);
  }
}
