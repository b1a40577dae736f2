/**
 * The `kubernetes` plugin: Kubernetes DNS-Based Service Discovery (schema 1.1.0) answered
 * from cluster state, read from the Kubernetes API or from state files (`state PATH`).
 */
import os from 'node:os';
import type { PluginContext, PluginSetup } from '../../chain/plugin.js';
import { resolveApiConfig } from '../../cluster/api/api-config.js';
import type { ClusterSourceSettings } from '../../cluster/create-source.js';
import { formatDuration } from '../../config/duration.js';
import { backendKey, KubernetesBackend, sourceOptions } from './backend.js';
import { registerKubernetes } from './block-registry.js';
import { parseKubernetesConfig, type KubernetesConfig } from './config.js';
import { KubernetesHandler } from './handler.js';

export const setup: PluginSetup<KubernetesConfig> = {
  name: 'kubernetes',
  parse: parseKubernetesConfig,
  create(config, next, context) {
    const logger = context.logger.child({ plugin: 'kubernetes' });
    const settings = sourceSettings(config);
    const options = sourceOptions(config);
    const backend = context.shared.acquire(
      backendKey(settings, options),
      () => new KubernetesBackend(settings, options, logger, context.metrics),
    );
    const synced = (): boolean => backend.source.synced();
    const handler = new KubernetesHandler(config, backend.index, next, {
      synced,
      startupDeadline: Date.now() + config.startupTimeoutMs,
      localAddresses: localAddresses(),
      resolve: context.resolve,
    });
    context.addReadiness({ name: 'kubernetes', ready: synced });
    context.addRehearsal?.(() => handler.rehearsalQuestions());
    registerKubernetes(context.block, handler);
    warnIfNotSynced(config, synced, context);
    return handler;
  },
};

/**
 * Where cluster state comes from. The API connection is resolved here, at the configuration
 * layer, because it reads the environment (KUBECONFIG, HOME, in-cluster variables).
 */
function sourceSettings(config: KubernetesConfig): ClusterSourceSettings {
  if (config.state !== '') return { state: config.state };
  const flags = {
    kubeconfig: config.kubeconfig || undefined,
    context: config.context || undefined,
    endpoint: config.endpoint || undefined,
  };
  return resolveApiConfig(flags, process.env);
}

/** CoreDNS serves after startup_timeout even when unsynced, and says so once. */
function warnIfNotSynced(
  config: KubernetesConfig,
  synced: () => boolean,
  context: PluginContext,
): void {
  if (synced()) return;
  const timer = setTimeout(() => {
    if (synced()) return;
    context.logger.warn(
      { plugin: 'kubernetes', startupTimeout: formatDuration(config.startupTimeoutMs) },
      'kubernetes not synced after startup_timeout: serving, unknown names get SERVFAIL',
    );
  }, config.startupTimeoutMs);
  timer.unref();
  context.addClosable({ close: () => clearTimeout(timer) });
}

/** This host's interface addresses (CoreDNS uses them to find its own Service for NS). */
function localAddresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    // Link-local IPv6 addresses name no Service endpoint.
    for (const entry of list ?? []) {
      if (!entry.address.startsWith('fe80')) found.push(entry.address);
    }
  }
  return found;
}
