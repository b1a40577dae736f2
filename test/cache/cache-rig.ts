/**
 * A cache in front of a real forward to a test upstream, served on loopback, with a clock the
 * test moves by hand.
 */
import type { Handler } from '../../src/chain/handler.js';
import type { Directive } from '../../src/config/directive.js';
import { parseCache } from '../../src/plugins/cache/cache-config.js';
import { CacheHandler } from '../../src/plugins/cache/cache-handler.js';
import { cacheCounters } from '../../src/plugins/cache/cache-metrics.js';
import { setup as forwardSetup } from '../../src/plugins/forward/setup.js';
import {
  build,
  ChainServer,
  directive,
  refuseAll,
  TestContext,
} from '../upstreams/chain-harness.js';

export class Clock {
  ms = 1_000_000;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
  readonly now = (): number => this.ms;
}

export interface CacheRig {
  readonly port: number;
  readonly clock: Clock;
  readonly context: TestContext;
  readonly cache: CacheHandler;
  close(): Promise<void>;
}

/** `cache ARGS { OPTIONS }` in front of `forward . 127.0.0.1:UPSTREAM` (or `behind`). */
export async function cacheRig(
  args: string[],
  options: Directive[],
  upstreamPort: number,
  behind?: Handler,
  forwardOptions: Directive[] = [
    directive('read_timeout', ['300ms']),
    directive('max_fails', ['0']),
  ],
): Promise<CacheRig> {
  const context = new TestContext();
  const clock = new Clock();
  const next =
    behind ??
    build(
      forwardSetup,
      directive('forward', ['.', `127.0.0.1:${upstreamPort}`], forwardOptions),
      refuseAll,
      context,
    );
  const config = parseCache(directive('cache', args, options), context.block.zones);
  const cache = new CacheHandler(config, next, {
    logger: context.logger,
    counters: cacheCounters(context.metrics, context.block.server, '.'),
    now: clock.now,
  });
  const server = await ChainServer.start(() => cache);
  return {
    port: server.port,
    clock,
    context,
    cache,
    async close() {
      await server.close();
      await context.close();
    },
  };
}

export const settle = (ms = 50): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
