/**
 * Chooses the source of cluster state for a configuration: state files when a path is given,
 * else the Kubernetes API.
 */
import type { Logger } from 'pino';
import type { Registry } from '../metrics/registry.js';
import type { InClusterConfig } from './api/api-config.js';
import { ApiSource } from './api/api-source.js';
import type { ClusterStore } from './model.js';
import type { ClusterSource, SourceOptions } from './source.js';
import { StateFileSource } from './state-file-source.js';

/** Where cluster state comes from; empty strings and undefined mean "not set". */
export interface ClusterSourceSettings {
  /** A state file or directory: when set, the API settings are ignored. */
  readonly state?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly endpoint?: string;
  /** In-cluster connection, resolved from the environment by the config layer. */
  readonly inCluster?: InClusterConfig;
}

/** Builds (does not start) the source that writes into `store`; `metrics` gets API metrics. */
export function createClusterSource(
  settings: ClusterSourceSettings,
  options: SourceOptions,
  store: ClusterStore,
  logger: Logger,
  metrics?: Registry,
): ClusterSource {
  if (settings.state) return new StateFileSource(settings.state, options, store, logger);
  return new ApiSource(
    {
      kubeconfig: settings.kubeconfig || undefined,
      context: settings.context || undefined,
      endpoint: settings.endpoint || undefined,
      inCluster: settings.inCluster,
    },
    options,
    store,
    logger,
    { metrics },
  );
}
