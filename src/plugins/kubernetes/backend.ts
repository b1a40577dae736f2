/**
 * A record index and the cluster source that fills it, shared by every kubernetes plugin
 * instance with the same source settings (across server blocks and reloads).
 */
import type { Logger } from 'pino';
import type { Registry } from '../../metrics/registry.js';
import type { Closable } from '../../chain/handler.js';
import { createClusterSource, type ClusterSourceSettings } from '../../cluster/create-source.js';
import type { ObjectKind } from '../../cluster/model.js';
import type { ClusterSource, SourceOptions } from '../../cluster/source.js';
import { RecordIndex } from '../../records/record-index.js';
import type { KubernetesConfig } from './config.js';

export class KubernetesBackend implements Closable {
  readonly index: RecordIndex;
  readonly source: ClusterSource;

  constructor(
    settings: ClusterSourceSettings,
    options: SourceOptions,
    logger: Logger,
    metrics?: Registry,
  ) {
    this.index = new RecordIndex({ kinds: options.kinds });
    this.source = createClusterSource(settings, options, this.index, logger, metrics);
    this.source.start();
  }

  close(): Promise<void> | void {
    return this.source.close();
  }
}

/** What the source must load for this configuration (Pods only for `pods verified`). */
export function sourceOptions(config: KubernetesConfig): SourceOptions {
  const kinds: ObjectKind[] = ['Service', 'Namespace'];
  if (!config.noEndpoints) kinds.push('EndpointSlice');
  if (config.pods === 'verified') kinds.push('Pod');
  return {
    kinds,
    namespaces: config.namespaces,
    labelSelector: config.labels,
    namespaceLabelSelector: config.namespaceLabels,
  };
}

/** The shared-resource key: equal settings share one source and one index. */
export function backendKey(settings: ClusterSourceSettings, options: SourceOptions): string {
  return `kubernetes:${JSON.stringify([settings, options])}`;
}
