/**
 * One WATCH request: a chunked stream of newline-delimited JSON events
 * (`{"type":"ADDED","object":{...}}`), read under a watchdog.
 *
 * `read` resolves when the server ends the stream normally (its `timeoutSeconds` ran out) and
 * rejects with KubeApiError when the connection breaks, a line is not an event, the watchdog
 * fires (no event or bookmark for `watchdogMs`), or the stream ends at once without an event
 * (a server that closes every watch immediately must not be polled in a tight loop).
 */
import type { IncomingMessage } from 'node:http';
import type { ApiClient } from './api-client.js';
import { KubeApiError } from './kube-api-error.js';

export interface WatchEvent {
  readonly type: string;
  readonly object: unknown;
}

/** One event line larger than this is refused (the largest objects are ~1.5 MB in etcd). */
const MAX_LINE = 16 * 1024 * 1024;
/** A stream that ends sooner than this with no event counts as a failure. */
const SHORT_WATCH_MS = 1000;

export class WatchStream {
  private response: IncomingMessage | null = null;
  private readonly abort = new AbortController();
  private readonly unlink: () => void;

  constructor(
    private readonly client: ApiClient,
    parent: AbortSignal,
    private readonly watchdogMs: number,
  ) {
    const forward = () => this.abort.abort();
    parent.addEventListener('abort', forward, { once: true });
    this.unlink = () => parent.removeEventListener('abort', forward);
  }

  async open(path: string, query: Record<string, string>): Promise<void> {
    try {
      this.response = await this.client.open({
        path,
        query,
        signal: this.abort.signal,
        idleTimeoutMs: 0,
      });
    } catch (err) {
      this.unlink();
      throw err;
    }
  }

  async read(onEvent: (event: WatchEvent) => void): Promise<void> {
    const response = this.response;
    if (!response) throw new Error('WatchStream.read before open');
    const started = Date.now();
    let silent = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        silent = true;
        response.destroy();
      }, this.watchdogMs);
    };
    let events = 0;
    let partial = '';
    arm();
    try {
      response.setEncoding('utf8');
      for await (const chunk of response as AsyncIterable<string>) {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        if (partial.length > MAX_LINE) throw protocolError('watch event line too long');
        for (const line of lines) {
          if (line.trim() === '') continue;
          onEvent(parseEvent(line));
          events++;
          arm();
        }
      }
    } catch (err) {
      if (silent) throw silentError(this.watchdogMs);
      throw streamError(err);
    } finally {
      clearTimeout(timer);
      this.unlink();
    }
    if (silent) throw silentError(this.watchdogMs);
    if (events === 0 && Date.now() - started < SHORT_WATCH_MS) {
      throw new KubeApiError('short-watch', 0, 'ShortWatch', 'watch closed at once, no event');
    }
  }
}

function parseEvent(line: string): WatchEvent {
  let parsed: { type?: unknown; object?: unknown };
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch (err) {
    throw protocolError('watch event is not JSON', err);
  }
  if (typeof parsed?.type !== 'string' || typeof parsed.object !== 'object') {
    throw protocolError('watch event lacks type or object');
  }
  return { type: parsed.type, object: parsed.object };
}

function silentError(ms: number): KubeApiError {
  return new KubeApiError('silent', 0, 'Silent', `watch silent for ${ms} ms, restarting`);
}

function protocolError(message: string, cause?: unknown): KubeApiError {
  return new KubeApiError('protocol', 200, 'BadEvent', message, { cause });
}

function streamError(err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? 'ECONNRESET';
  return new KubeApiError('network', 0, code, `watch stream broke: ${code}`, { cause: err });
}
