/**
 * The `loadbalance [round_robin]` plugin: shuffles the addresses of every answer that passes
 * through it (see shuffle-addresses.ts). It acts first in the chain, so the cache keeps the
 * upstream's order and every reply, cached or not, is shuffled anew.
 */
import type { Handler, Reply } from '../../chain/handler.js';
import type { PluginSetup } from '../../chain/plugin.js';
import type { DnsRequest } from '../../chain/request.js';
import { badValue, expectArgs, unknownOption } from '../forward/directive-args.js';
import { shuffleAddresses } from './shuffle-addresses.js';

export interface LoadbalanceConfig {
  readonly policy: 'round_robin';
}

export class LoadbalanceHandler implements Handler {
  readonly name = 'loadbalance';

  constructor(
    private readonly next: Handler,
    private readonly random: () => number = Math.random,
  ) {}

  serve(request: DnsRequest): Reply | Promise<Reply> {
    const reply = this.next.serve(request);
    if (reply instanceof Promise) return reply.then((r) => this.shuffle(r));
    return this.shuffle(reply);
  }

  private shuffle(reply: Reply): Reply {
    if (reply) shuffleAddresses(reply, this.random);
    return reply;
  }
}

export const setup: PluginSetup<LoadbalanceConfig> = {
  name: 'loadbalance',
  parse(directive) {
    const [policy] = expectArgs(directive, 0, 1);
    if (directive.block.length > 0) throw unknownOption('loadbalance', directive.block[0]);
    if (policy !== undefined && policy !== 'round_robin') {
      // `weighted` and `prefer` need a weight file or subnet lists clusterdns does not read yet.
      throw badValue(directive, `loadbalance: policy '${policy}' is not supported (round_robin)`);
    }
    return { policy: 'round_robin' };
  },
  create: (_config, next) => new LoadbalanceHandler(next),
};
