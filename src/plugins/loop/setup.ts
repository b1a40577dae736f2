/**
 * The `loop` plugin: detects a forwarding loop at start (see loop-handler.ts). No arguments.
 */
import type { PluginSetup } from '../../chain/plugin.js';
import { expectArgs, unknownOption } from '../forward/directive-args.js';
import { LoopHandler } from './loop-handler.js';

export const setup: PluginSetup<Record<string, never>> = {
  name: 'loop',
  parse(directive) {
    expectArgs(directive, 0, 0);
    if (directive.block.length > 0) throw unknownOption('loop', directive.block[0]);
    return {};
  },
  create(_config, next, context) {
    const zone = context.block.zones[0] ?? '';
    const logger = context.logger.child({ plugin: 'loop' });
    const handler = new LoopHandler(zone, next, { logger });
    context.addClosable(handler);
    return handler;
  },
};
