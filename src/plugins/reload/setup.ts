/**
 * The `reload` plugin: re-reads the Corefile when its contents change (SHA-512 of the file and
 * its imports, checked every INTERVAL ± JITTER). One watcher serves the whole process and
 * survives reloads through SharedResources. A process service: it adds no link to the chain.
 */
import type { PluginSetup } from '../../chain/plugin.js';
import { CorefileWatcher } from './corefile-watcher.js';
import { parseReload, type ReloadConfig } from './reload-config.js';

export const setup: PluginSetup<ReloadConfig> = {
  name: 'reload',
  parse: (directive) => parseReload(directive),
  create(config, next, context) {
    const lifecycle = context.lifecycle;
    if (!lifecycle) throw new Error('reload: the server did not provide a lifecycle');
    const key = `reload:${config.intervalMs}:${config.jitterMs}`;
    const watcher = context.shared.acquire(key, () => new CorefileWatcher(config, context.logger));
    watcher.follow(lifecycle);
    return next;
  },
};
