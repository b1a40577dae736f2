/**
 * The health plugin's self-check: once a second it asks its own `/health` and records how long
 * the answer took (`coredns_health_request_duration_seconds`) or that it failed
 * (`coredns_health_request_failures_total`), as CoreDNS's health plugin does.
 */
import http from 'node:http';
import type { Histogram, Counter } from 'prom-client';
import { counter, histogram, type Registry } from '../../metrics/registry.js';

const CHECK_EVERY_MS = 1_000;
const CHECK_TIMEOUT_MS = 1_000;

export interface HealthCheckMetrics {
  readonly duration: Histogram;
  readonly failures: Counter;
}

export function healthCheckMetrics(registry: Registry): HealthCheckMetrics {
  return {
    duration: histogram(registry, {
      name: 'coredns_health_request_duration_seconds',
      help: 'Histogram of the time (in seconds) each request took.',
      // CoreDNS's slim time buckets: 0.25 ms to 2.5 s by powers of ten.
      buckets: [0.00025, 0.0025, 0.025, 0.25, 2.5],
    }),
    failures: counter(registry, {
      name: 'coredns_health_request_failures_total',
      help: 'The number of times the health check failed.',
    }),
  };
}

/** Starts the periodic self-check; returns a function that stops it. */
export function startHealthCheck(
  target: () => { host: string; port: number },
  metrics: HealthCheckMetrics,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const started = process.hrtime.bigint();
    checkOnce(target()).then((ok) => {
      running = false;
      if (!ok) {
        metrics.failures.inc();
        return;
      }
      metrics.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    });
  }, CHECK_EVERY_MS).unref();
  return () => clearInterval(timer);
}

function checkOnce(target: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(
      {
        host: target.host,
        port: target.port,
        path: '/health',
        timeout: CHECK_TIMEOUT_MS,
        agent: false,
      },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
