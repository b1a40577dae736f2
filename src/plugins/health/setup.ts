/**
 * The `health` plugin: `GET /health` answers 200 `OK` while the process is alive (default
 * `:8080`), and `lameduck DURATION` keeps DNS answering that long after SIGTERM while the
 * `ready` plugin already reports not ready. A process service: it adds no link to the chain.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PluginSetup } from '../../chain/plugin.js';
import { parseHealth, type HealthConfig } from './health-config.js';
import { healthCheckMetrics, startHealthCheck } from './health-check.js';
import { HttpService, sendText } from './http-service.js';

export const setup: PluginSetup<HealthConfig> = {
  name: 'health',
  parse: (directive) => parseHealth(directive),
  create(config, next, context) {
    const lifecycle = context.lifecycle;
    if (!lifecycle) throw new Error('health: the server did not provide a lifecycle');
    lifecycle.setLameduck(config.lameduckMs);
    const key = `http:health:${config.host}:${config.port}`;
    const service = context.shared.acquire(key, () => {
      const http = new HttpService(
        'health',
        config.host,
        config.port,
        answerHealth,
        context.logger,
      );
      const stop = startHealthCheck(
        () => ({ host: http.loopbackHost, port: http.port }),
        healthCheckMetrics(context.metrics),
      );
      return { http, close: () => (stop(), http.close()) };
    });
    lifecycle.addStartup(service.http.listening);
    return next;
  },
};

/** `/health` is 200 OK for as long as the process runs, lameduck included (CoreDNS). */
function answerHealth(request: IncomingMessage, response: ServerResponse): void {
  if (request.url !== '/health' && !request.url?.startsWith('/health?')) {
    sendText(response, 404, 'not found\n');
    return;
  }
  sendText(response, 200, 'OK');
}
