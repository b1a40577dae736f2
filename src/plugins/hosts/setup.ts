/**
 * The `hosts` plugin: answers from an /etc/hosts-format file and inline entries.
 */
import type { PluginSetup } from '../../chain/plugin.js';
import { parseHosts, type HostsConfig } from './hosts-config.js';
import { HostsHandler } from './hosts-handler.js';

export const setup: PluginSetup<HostsConfig> = {
  name: 'hosts',
  parse: (directive, block) => parseHosts(directive, block.zones),
  create(config, next, context) {
    const handler = new HostsHandler(config, next, context.logger.child({ plugin: 'hosts' }));
    context.addClosable(handler);
    return handler;
  },
};
