/**
 * The `chaos` plugin: fixed answers to the CHAOS-class identity queries (RFC 4892), configured
 * as `chaos [VERSION] [AUTHORS...]`, and REFUSED for every other class CH query.
 */
import os from 'node:os';
import type { PluginSetup } from '../../chain/plugin.js';
import { parseChaos, type ChaosConfig } from './chaos-config.js';
import { ChaosHandler } from './chaos-handler.js';

export const setup: PluginSetup<ChaosConfig> = {
  name: 'chaos',
  parse: (directive) => parseChaos(directive),
  create: (config, next) => new ChaosHandler(config, os.hostname(), next),
};
