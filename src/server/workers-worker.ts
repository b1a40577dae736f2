/**
 * The worker side of `serve --workers N`: a worker runs the whole server (its own chain,
 * its own cluster state source) and tells the primary when it serves. Its metrics registry
 * labels every series with the worker's slot and answers a scrape with the sum over all
 * workers, gathered by the primary, so `/metrics` does not depend on which worker the
 * scrape's connection reached.
 */
import client from 'prom-client';
import type { BoundAddress } from './instance.js';
import { isMetricsResponse, type ServingMessage } from './workers-messages.js';

/** Longer than the primary's own 5 s gathering timeout, so its error arrives first. */
const METRICS_TIMEOUT_MS = 6_000;

/** Tells the primary this worker serves on `listeners`. */
export function reportServing(listeners: readonly BoundAddress[]): void {
  const message: ServingMessage = { type: 'clusterdns:serving', listeners };
  process.send?.(message);
}

/**
 * A registry for a worker in slot `slot` (0..N-1, stable across restarts): every series
 * carries `worker="SLOT"`, and `metrics()` returns the series of every worker.
 */
export function createWorkerRegistry(slot: number): client.Registry {
  const registry = new WorkerRegistry();
  registry.setDefaultLabels({ worker: String(slot) });
  // prom-client answers the primary's gathering requests from these registries.
  client.AggregatorRegistry.setRegistries([registry]);
  new client.AggregatorRegistry();
  return registry;
}

class WorkerRegistry extends client.Registry {
  private nextId = 0;

  /** Every worker's series, gathered by the primary; this worker's alone without one. */
  override metrics(): Promise<string> {
    if (!process.send || !process.connected) return super.metrics();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const finish = (err: Error | null, text = ''): void => {
        clearTimeout(timer);
        process.off('message', onMessage);
        if (err) reject(err);
        else resolve(text);
      };
      const onMessage = (message: unknown): void => {
        if (!isMetricsResponse(message) || message.id !== id) return;
        finish(message.error === undefined ? null : new Error(message.error), message.text);
      };
      const timeout = (): void => finish(new Error('metrics from workers timed out'));
      const timer = setTimeout(timeout, METRICS_TIMEOUT_MS);
      process.on('message', onMessage);
      process.send?.({ type: 'clusterdns:metrics-request', id });
    });
  }
}
