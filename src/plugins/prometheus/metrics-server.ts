/**
 * The process's `/metrics` HTTP endpoint. One per listen address for the whole process: every
 * block naming the same address shares it (through SharedResources), and a reload that keeps
 * the address keeps the listener.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Closable } from '../../chain/handler.js';
import type { Registry } from '../../metrics/registry.js';

export class MetricsServer implements Closable {
  /** Resolves with the bound port (useful when port 0 was asked for); rejects if bind fails. */
  readonly listening: Promise<number>;
  private readonly server: http.Server;

  constructor(registry: Registry, host: string, port: number, logger: Logger) {
    this.server = http.createServer((req, res) => void this.respond(registry, req, res));
    this.listening = new Promise((resolve, reject) => {
      this.server.once('error', (err) => {
        logger.error({ host, port, err }, 'http listen failed');
        reject(err);
      });
      this.server.listen({ host: host || undefined, port }, () => {
        const bound = (this.server.address() as AddressInfo).port;
        logger.info({ host, port: bound }, 'http listening');
        resolve(bound);
      });
    });
  }

  private async respond(
    registry: Registry,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(body);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
