/**
 * The forward plugin's Prometheus families, with CoreDNS's names and labels (forward README,
 * "Metrics"), so existing dashboards keep working.
 */
import type client from 'prom-client';
import { counter, type Registry } from '../../metrics/registry.js';
import { FastHistogram, register } from '../prometheus/fast-metrics.js';

export interface ForwardMetrics {
  /** Labels in order: proxy_name, to, rcode. Per query, so a fast family. */
  readonly requestDuration: FastHistogram;
  readonly healthcheckFailures: client.Counter<'proxy_name' | 'to'>;
  readonly healthcheckBroken: client.Counter<string>;
  readonly maxConcurrentRejects: client.Counter<string>;
}

export function forwardMetrics(registry: Registry): ForwardMetrics {
  return {
    requestDuration: register(
      registry,
      new FastHistogram(
        'coredns_proxy_request_duration_seconds',
        'Histogram of the time each request took.',
        ['proxy_name', 'to', 'rcode'],
        [
          0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512,
          1.024, 2.048, 4.096, 8.192,
        ],
      ),
    ),
    healthcheckFailures: counter(registry, {
      name: 'coredns_proxy_healthcheck_failures_total',
      help: 'Counter of the number of failed healthchecks.',
      labelNames: ['proxy_name', 'to'],
    }),
    healthcheckBroken: counter(registry, {
      name: 'coredns_forward_healthcheck_broken_total',
      help: 'Counter of the number of complete failures of the healthchecks.',
    }),
    maxConcurrentRejects: counter(registry, {
      name: 'coredns_forward_max_concurrent_rejects_total',
      help:
        'Counter of the number of queries rejected because the concurrent queries ' +
        'were at maximum.',
    }),
  };
}
