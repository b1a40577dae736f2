/**
 * Finds the kubernetes plugin of a server block, for plugins that build on it (`autopath
 * @kubernetes`). The chain is built from its end, so the kubernetes handler exists before the
 * plugins in front of it are created with the same BlockInfo.
 */
import type { BlockInfo } from '../../chain/plugin.js';
import type { KubernetesHandler } from './handler.js';

const handlers = new WeakMap<BlockInfo, KubernetesHandler>();

/** Records the handler built for a block. */
export function registerKubernetes(block: BlockInfo, handler: KubernetesHandler): void {
  handlers.set(block, handler);
}

/** The kubernetes handler of the block, or undefined when the block has none. */
export function kubernetesForBlock(block: BlockInfo): KubernetesHandler | undefined {
  return handlers.get(block);
}
