/**
 * The messages a `serve --workers N` primary and its worker processes exchange over the cluster
 * IPC channel. Each carries a `type` with the `clusterdns:` prefix, so prom-client's own
 * messages on the same channel are told apart.
 */
import type { BoundAddress } from './instance.js';

/** A worker bound every listener and answers queries. */
export interface ServingMessage {
  readonly type: 'clusterdns:serving';
  readonly listeners: readonly BoundAddress[];
}

/** A worker's `/metrics` scrape asks the primary for every worker's metrics, summed. */
export interface MetricsRequest {
  readonly type: 'clusterdns:metrics-request';
  readonly id: number;
}

/** The primary's answer: the exposition text, or why it could not be gathered. */
export interface MetricsResponse {
  readonly type: 'clusterdns:metrics-response';
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

export type WorkerMessage = ServingMessage | MetricsRequest;

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'clusterdns:serving' || type === 'clusterdns:metrics-request';
}

export function isMetricsResponse(value: unknown): value is MetricsResponse {
  return (value as { type?: unknown } | null)?.type === 'clusterdns:metrics-response';
}
