/**
 * The process-wide Prometheus registry and get-or-create helpers for metric families.
 *
 * Plugins are rebuilt on every reload, but a metric family must be registered once per
 * process: these helpers return the existing family when its name is already registered.
 */
import client from 'prom-client';

export type Registry = client.Registry;

export function createRegistry(): Registry {
  return new client.Registry();
}

export function counter<T extends string>(
  registry: Registry,
  config: client.CounterConfiguration<T>,
): client.Counter<T> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as client.Counter<T>;
  return new client.Counter<T>({ ...config, registers: [registry] });
}

export function gauge<T extends string>(
  registry: Registry,
  config: client.GaugeConfiguration<T>,
): client.Gauge<T> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as client.Gauge<T>;
  return new client.Gauge<T>({ ...config, registers: [registry] });
}

export function histogram<T extends string>(
  registry: Registry,
  config: client.HistogramConfiguration<T>,
): client.Histogram<T> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as client.Histogram<T>;
  return new client.Histogram<T>({ ...config, registers: [registry] });
}
