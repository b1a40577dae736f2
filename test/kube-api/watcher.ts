/**
 * One open watch stream of the test API server: replays the event log from the requested
 * resourceVersion, then forwards new events as newline-delimited JSON chunks, with periodic
 * BOOKMARKs, and ends after the requested timeout like the real API server.
 *
 * With a label selector it sends what a real server sends on selector transitions: ADDED when
 * a modified object starts matching, DELETED when it stops.
 */
import type { ServerResponse } from 'node:http';
import type { LabelMatcher } from './label-match.js';
import {
  TYPE_META,
  type KubeObject,
  type LoggedEvent,
  type ObjectLog,
  type ResourceName,
} from './object-log.js';

export interface WatchSpec {
  readonly resource: ResourceName;
  readonly namespace: string;
  readonly matches: LabelMatcher;
  /** BOOKMARK interval in ms; 0 for none. */
  readonly bookmarks: number;
  readonly timeoutMs: number;
  /** Start hung: headers only, then silence (and no end at the timeout). */
  readonly hung: boolean;
  readonly log: ObjectLog;
}

export class Watcher {
  private hung: boolean;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: () => void = () => {};

  constructor(
    private readonly response: ServerResponse,
    private readonly spec: WatchSpec,
  ) {
    this.hung = spec.hung;
    response.on('close', () => this.stop());
  }

  start(version: number): void {
    this.response.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    });
    // Send the headers now: a real server flushes them before the first event.
    this.response.flushHeaders();
    if (this.hung) return;
    const backlog = this.spec.log.since(version);
    if (backlog === null) return this.expire(this.spec.log.version);
    for (const event of backlog) this.forward(event);
    this.unsubscribe = this.spec.log.subscribe((event) => this.forward(event));
    if (this.spec.bookmarks > 0) {
      this.timers.push(setInterval(() => this.bookmark(), this.spec.bookmarks));
    }
    this.timers.push(setTimeout(() => this.end(), this.spec.timeoutMs));
  }

  /** Sends the 410 ERROR event a real server sends for a compacted version, then ends. */
  expire(current: number): void {
    this.send({
      type: 'ERROR',
      object: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${current}`,
        reason: 'Expired',
        code: 410,
      },
    });
    this.end();
  }

  hang(): void {
    this.hung = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  drop(): void {
    this.stop();
    this.response.socket?.destroy();
  }

  private forward(event: LoggedEvent): void {
    if (event.resource !== this.spec.resource) return;
    const object = event.object;
    if (this.spec.namespace && object.metadata.namespace !== this.spec.namespace) return;
    const now = this.spec.matches(object.metadata.labels);
    const before = event.previous ? this.spec.matches(event.previous.metadata.labels) : false;
    let type: string | null = null;
    if (event.type === 'ADDED') type = now ? 'ADDED' : null;
    if (event.type === 'DELETED') type = before ? 'DELETED' : null;
    if (event.type === 'MODIFIED') {
      if (now) type = before ? 'MODIFIED' : 'ADDED';
      else type = before ? 'DELETED' : null;
    }
    if (type) this.send({ type, object: typed(this.spec.resource, object) });
  }

  private bookmark(): void {
    const meta = TYPE_META[this.spec.resource];
    const object = { ...meta, metadata: { resourceVersion: String(this.spec.log.version) } };
    this.send({ type: 'BOOKMARK', object });
  }

  private send(event: { type: string; object: unknown }): void {
    if (this.hung || this.response.writableEnded) return;
    this.response.write(JSON.stringify(event) + '\n');
  }

  private end(): void {
    this.stop();
    if (!this.response.writableEnded) this.response.end();
  }

  private stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.unsubscribe();
  }
}

function typed(resource: ResourceName, object: KubeObject): KubeObject {
  return { ...TYPE_META[resource], ...object };
}
