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

/** A worker's own readiness changed (every readiness source of its configuration). */
export interface ReadyMessage {
  readonly type: 'clusterdns:ready';
  readonly ready: boolean;
}

/** The primary's answer to readiness changes: whether every worker slot is ready. */
export interface PeersMessage {
  readonly type: 'clusterdns:peers';
  readonly allReady: boolean;
}

export type WorkerMessage = ServingMessage | MetricsRequest | ReadyMessage;

const WORKER_TYPES = new Set([
  'clusterdns:serving',
  'clusterdns:metrics-request',
  'clusterdns:ready',
]);

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return WORKER_TYPES.has(String((value as { type?: unknown } | null)?.type));
}

export function isMetricsResponse(value: unknown): value is MetricsResponse {
  return (value as { type?: unknown } | null)?.type === 'clusterdns:metrics-response';
}

export function isPeersMessage(value: unknown): value is PeersMessage {
  return (value as { type?: unknown } | null)?.type === 'clusterdns:peers';
}
