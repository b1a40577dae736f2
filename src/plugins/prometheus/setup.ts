/**
 * `prometheus [ADDRESS]`: serves `/metrics` (default `localhost:9153`, as CoreDNS) and records
 * CoreDNS's DNS metrics for every query of the block. The HTTP listener is process-wide: several
 * blocks naming one address share it. Port 0 binds any free port, logged as `http listening`.
 */
import type { Handler } from '../../chain/handler.js';
import type { PluginContext, PluginSetup } from '../../chain/plugin.js';
import type { Directive } from '../../config/directive.js';
import { expectArgs, expectNoBlock, listenAddressValue } from '../../config/option-values.js';
import { dnsFamilies, zoneLabel } from './dns-families.js';
import { MetricsHandler } from './metrics-handler.js';
import { MetricsServer } from './metrics-server.js';
import { registerProcessMetrics } from './process-metrics.js';
import { QueryRecorder } from './query-recorder.js';

export interface PrometheusConfig {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_METRICS_HOST = 'localhost';
export const DEFAULT_METRICS_PORT = 9153;

function parse(directive: Directive): PrometheusConfig {
  expectArgs(directive, 0, 1);
  expectNoBlock(directive);
  if (directive.args.length === 0) {
    return { host: DEFAULT_METRICS_HOST, port: DEFAULT_METRICS_PORT };
  }
  const text = directive.args[0];
  // CoreDNS also accepts a bare host, meaning the default port.
  const withPort = /:\d+$/.test(text) ? text : `${text}:${DEFAULT_METRICS_PORT}`;
  return Object.freeze(listenAddressValue(directive, 'prometheus', withPort));
}

function create(config: PrometheusConfig, next: Handler, context: PluginContext): Handler {
  registerProcessMetrics(context.metrics);
  const families = dnsFamilies(context.metrics);
  for (const zone of context.block.zones) {
    families.pluginEnabled.labels(context.block.server, zoneLabel(zone), '', 'prometheus').set(1);
  }
  const logger = context.logger.bindings().plugin
    ? context.logger
    : context.logger.child({ plugin: 'prometheus' });
  const key = `prometheus-http ${config.host}:${config.port}`;
  const server = context.shared.acquire(
    key,
    () => new MetricsServer(context.metrics, config.host, config.port, logger),
  );
  context.lifecycle?.addStartup(server.listening);
  const recorder = new QueryRecorder(families, context.block.server);
  // Queries that reach no chain (no block serves the name, malformed) count as zone `dropped`.
  context.onDropped?.((request, reply) => recorder.recordDropped(request, reply));
  return new MetricsHandler(next, recorder);
}

export const setup: PluginSetup<PrometheusConfig> = { name: 'prometheus', parse, create };
export const prometheusSetup = setup;
