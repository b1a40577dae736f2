/**
 * The `forward` plugin: parse `forward FROM TO... { ... }` and build its handler.
 */
import type { PluginSetup } from '../../chain/plugin.js';
import { parseForward, type ForwardConfig } from './forward-config.js';
import { ForwardHandler } from './forward-handler.js';
import { forwardMetrics } from './forward-metrics.js';

export const setup: PluginSetup<ForwardConfig> = {
  name: 'forward',
  parse: (directive) => parseForward(directive),
  create(config, next, context) {
    const handler = new ForwardHandler(config, next, {
      logger: context.logger.child({ plugin: 'forward' }),
      metrics: forwardMetrics(context.metrics),
    });
    context.addClosable(handler);
    return handler;
  },
};
