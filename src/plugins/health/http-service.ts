/**
 * A small HTTP listener for a process service (health, ready): one request handler, port 0
 * support, and the `http listening` log line that reports the port actually bound.
 *
 * Kept alive across reloads through SharedResources (keyed by plugin and address), so probes
 * never see the port close while a new configuration is being swapped in.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Closable } from '../../chain/handler.js';

export type RequestHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export class HttpService implements Closable {
  /** Resolves once bound (and logged); rejects with the listen error (EADDRINUSE...). */
  readonly listening: Promise<void>;
  private readonly server: http.Server;

  constructor(
    readonly plugin: string,
    readonly host: string,
    readonly requestedPort: number,
    handler: RequestHandler,
    logger: Logger,
  ) {
    this.server = http.createServer(handler);
    this.server.keepAliveTimeout = 5_000;
    this.listening = new Promise((resolve, reject) => {
      this.server.once('error', reject);
      const options = host === '' ? { port: requestedPort } : { host, port: requestedPort };
      this.server.listen(options, () => {
        this.server.off('error', reject);
        logger.info({ plugin, address: host, port: this.port }, 'http listening');
        resolve();
      });
    });
  }

  /** The bound port (the requested one until bound). */
  get port(): number {
    const address = this.server.address() as AddressInfo | null;
    return address?.port ?? this.requestedPort;
  }

  /** An address to reach this service from the same host, for self-checks. */
  get loopbackHost(): string {
    if (this.host === '' || this.host === '0.0.0.0') return '127.0.0.1';
    if (this.host === '::') return '::1';
    return this.host;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Answers with a status and a plain-text body. */
export function sendText(response: http.ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}
