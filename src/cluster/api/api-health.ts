/**
 * Tracks whether the Kubernetes API is reachable, across all reflectors, and reports each
 * outage once: one warning (or one error when access is denied: an operator must act) when
 * the first request fails, and one info line when every failing resource has answered again.
 * Repeated failures inside an outage are logged at debug only.
 *
 * Logged fields are the resource, the HTTP status and the Status reason or network error
 * code: never a request, a header or a response body, which could carry credentials.
 */
import type { Logger } from 'pino';
import type client from 'prom-client';
import type { KubeApiError } from './kube-api-error.js';
import type { Resource } from './resources.js';

export class ApiHealth {
  private readonly failing = new Set<string>();
  private since = 0;
  private deniedLogged = false;

  constructor(
    private readonly logger: Logger,
    private readonly outages: client.Counter<string> | null,
    /** Whether the first sync is done: after it, the last known state keeps serving. */
    private readonly synced: () => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** True while at least one resource's requests are failing. */
  get degraded(): boolean {
    return this.failing.size > 0;
  }

  failed(resource: Resource, error: KubeApiError): void {
    const fields = {
      resource: resource.kind,
      status: error.status,
      reason: error.reason,
      failure: error.failure,
      synced: this.synced(),
    };
    const starts = this.failing.size === 0;
    this.failing.add(resource.kind);
    if (starts) {
      this.since = this.now();
      this.deniedLogged = false;
      this.outages?.inc();
    }
    if (error.denied && !this.deniedLogged) {
      this.deniedLogged = true;
      this.logger.error(fields, 'kubernetes api denied access: check credentials and RBAC');
      return;
    }
    if (starts) this.logger.warn(fields, 'kubernetes api unavailable');
    else this.logger.debug(fields, 'kubernetes api request failed');
  }

  healthy(resource: Resource): void {
    if (!this.failing.delete(resource.kind) || this.failing.size > 0) return;
    this.logger.info({ durationMs: this.now() - this.since }, 'kubernetes api available again');
  }
}
