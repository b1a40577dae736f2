/**
 * GET requests to the Kubernetes API over node:http(s), with the connection's credentials
 * applied per request (exec plugins and token files may rotate them).
 */
import http from 'node:http';
import https from 'node:https';
import type { Connection } from './connection.js';
import { KubeApiError } from './kube-api-error.js';

/** Bodies of error responses are read up to this size to find the Status reason. */
const ERROR_BODY_LIMIT = 64 * 1024;

export interface RequestSpec {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Fails the request when the socket sees no bytes for this long (0: never). */
  readonly idleTimeoutMs: number;
}

export class ApiClient {
  private readonly agent: http.Agent;
  private readonly transport: typeof https | typeof http;

  constructor(private readonly connection: Connection) {
    const secure = connection.server.protocol === 'https:';
    this.transport = secure ? https : http;
    this.agent = secure
      ? new https.Agent({ keepAlive: true })
      : new http.Agent({ keepAlive: true });
  }

  /** Sends a GET and resolves with the response once a 200 arrives; rejects KubeApiError. */
  async open(spec: RequestSpec): Promise<http.IncomingMessage> {
    const options: https.RequestOptions = {
      method: 'GET',
      agent: this.agent,
      headers: { Accept: 'application/json' },
      signal: spec.signal,
    };
    try {
      await this.connection.apply(options);
    } catch (err) {
      // The cause (an exec plugin's stderr, a file error) stays out of logs: it may quote
      // credentials. The reason code says where to look.
      throw new KubeApiError('credentials', 0, 'CredentialsUnavailable',
        'could not obtain credentials from the kubeconfig', { cause: err });
    }
    const url = new URL(this.connection.server.href);
    url.pathname = url.pathname.replace(/\/$/, '') + spec.path;
    for (const [key, value] of Object.entries(spec.query)) url.searchParams.set(key, value);
    return new Promise((resolve, reject) => {
      const request = this.transport.request(url, options, (response) => {
        if (response.statusCode === 200) return resolve(response);
        readError(response).then(reject, reject);
      });
      request.on('error', (err) => reject(networkError(err)));
      if (spec.idleTimeoutMs > 0) {
        request.setTimeout(spec.idleTimeoutMs, () =>
          request.destroy(new KubeApiError('network', 0, 'Timeout', 'request timed out')),
        );
      }
      request.end();
    });
  }

  /** GETs a JSON document (a list page). */
  async getJson(spec: RequestSpec): Promise<unknown> {
    const response = await this.open(spec);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of response) chunks.push(chunk as Buffer);
    } catch (err) {
      throw networkError(err);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      throw new KubeApiError('protocol', 200, 'BadJSON', 'response is not JSON', { cause: err });
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Turns a non-200 response into a KubeApiError carrying the Status reason, never the body. */
async function readError(response: http.IncomingMessage): Promise<KubeApiError> {
  const status = response.statusCode ?? 0;
  let text = '';
  try {
    for await (const chunk of response) {
      if (text.length < ERROR_BODY_LIMIT) text += String(chunk);
    }
  } catch {
    // The status code alone still explains the failure.
  }
  const reason = statusReason(text) || response.statusMessage || 'Unknown';
  return new KubeApiError('http', status, reason, `API answered ${status} ${reason}`);
}

function statusReason(text: string): string {
  try {
    const parsed = JSON.parse(text) as { reason?: unknown };
    return typeof parsed.reason === 'string' ? parsed.reason : '';
  } catch {
    return '';
  }
}

function networkError(err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name ?? 'Error';
  return new KubeApiError('network', 0, code, `API connection failed: ${code}`, { cause: err });
}
