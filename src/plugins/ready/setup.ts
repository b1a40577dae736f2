/**
 * The `ready` plugin: `GET /ready` (default `:8181`) answers 200 `OK` once every readiness
 * source of the running configuration is ready (the Kubernetes sync), else 503 with the names
 * of those that are not, one per line. During shutdown it answers 503 at once, so the Service
 * stops sending new clients while lameduck keeps DNS answering. A process service: it adds no
 * link to the chain.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Lifecycle, PluginSetup } from '../../chain/plugin.js';
import { HttpService, sendText } from '../health/http-service.js';
import { parseReady, type ReadyConfig } from './ready-config.js';
import { ReadinessReport } from './readiness-report.js';

export const setup: PluginSetup<ReadyConfig> = {
  name: 'ready',
  parse: (directive) => parseReady(directive),
  create(config, next, context) {
    const lifecycle = context.lifecycle;
    if (!lifecycle) throw new Error('ready: the server did not provide a lifecycle');
    const key = `http:ready:${config.host}:${config.port}`;
    const service = context.shared.acquire(key, () => {
      const report = new ReadinessReport(config.continuously);
      const handler = (request: IncomingMessage, response: ServerResponse): void =>
        answerReady(request, response, lifecycle, report);
      return new HttpService('ready', config.host, config.port, handler, context.logger);
    });
    lifecycle.addStartup(service.listening);
    return next;
  },
};

function answerReady(
  request: IncomingMessage,
  response: ServerResponse,
  lifecycle: Lifecycle,
  report: ReadinessReport,
): void {
  if (request.url !== '/ready' && !request.url?.startsWith('/ready?')) {
    sendText(response, 404, 'not found\n');
    return;
  }
  if (lifecycle.draining) {
    sendText(response, 503, 'shutting down\n');
    return;
  }
  const waiting = report.notReady(lifecycle.readiness());
  if (waiting.length > 0) {
    sendText(response, 503, waiting.join('\n') + '\n');
    return;
  }
  sendText(response, 200, 'OK');
}
