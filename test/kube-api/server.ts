/**
 * A Kubernetes API server for tests and benchmarks: speaks the real REST protocol over HTTPS
 * (lists with resourceVersion, paging and label selectors; `?watch=1` chunked JSON event
 * streams with bookmarks and 410 Gone), authenticates bearer tokens and client certificates
 * against its own CA, and lets a test change objects and inject faults.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { randomBytes } from 'node:crypto';
import { createPki, type TestPki } from './certs.js';
import { parseSelector } from './label-match.js';
import { keyOf, ObjectLog, TYPE_META, type KubeObject, type ResourceName } from './object-log.js';
import { Watcher } from './watcher.js';
import { writeKubeconfig, type KubeconfigAuth } from './kubeconfig.js';

export type { KubeObject, ResourceName } from './object-log.js';

export interface RequestRecord {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly identity: string;
  readonly status: number;
}

/** A fault that answers the next `count` matching requests with an HTTP error status. */
interface Failure {
  readonly status: number;
  remaining: number;
  readonly verb: 'list' | 'watch' | 'any';
}

export interface TestApiServerOptions {
  readonly port?: number;
  /** Interval of BOOKMARK events on watches that allow them; 0 disables them. */
  readonly bookmarkIntervalMs?: number;
  readonly pki?: TestPki;
}

/** `/api/v1[/namespaces/NS]/KIND` and `/apis/discovery.k8s.io/v1[/namespaces/NS]/KIND`. */
const ROUTE = new RegExp(
  '^/(?:api/v1|apis/discovery\\.k8s\\.io/v1)/(?:namespaces/([^/]+)/)?' +
    '(services|pods|namespaces|endpointslices)$',
);

export class TestApiServer {
  readonly log = new ObjectLog();
  readonly requests: RequestRecord[] = [];
  readonly tokens = { admin: token(), limited: token() };
  /** Fault switches; see the methods below for the one-shot faults. */
  readonly faults = { delayMs: 0, hangNewWatches: false };
  private readonly failures: Failure[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private readonly snapshots = new Map<string, { items: KubeObject[]; version: number }>();
  private server: https.Server;
  port = 0;

  private constructor(
    readonly pki: TestPki,
    private readonly bookmarkIntervalMs: number,
  ) {
    this.server = this.createServer();
  }

  static async start(options: TestApiServerOptions = {}): Promise<TestApiServer> {
    const server = new TestApiServer(options.pki ?? createPki(), options.bookmarkIntervalMs ?? 0);
    await server.listen(options.port ?? 0);
    return server;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Writes a kubeconfig for this server into `dir`; returns its path. */
  kubeconfig(dir: string, auth: KubeconfigAuth = 'token'): string {
    return writeKubeconfig(dir, this, auth);
  }

  /** Creates or replaces an object (ADDED/MODIFIED to watchers). */
  put(resource: ResourceName, object: KubeObject): void {
    this.log.put(resource, bare(object));
  }

  /** Deletes an object by `namespace/name` (or name); DELETED to watchers. */
  remove(resource: ResourceName, key: string): boolean {
    return this.log.delete(resource, key);
  }

  /** Loads many objects at once, before clients list them (no events). */
  load(resource: ResourceName, objects: readonly KubeObject[]): void {
    this.log.load(resource, objects.map(bare));
  }

  /** Answers the next `count` requests (lists, watches or both) with `status`. */
  failNext(status: number, count = 1, verb: Failure['verb'] = 'any'): void {
    this.failures.push({ status, remaining: count, verb });
  }

  clearFailures(): void {
    this.failures.length = 0;
  }

  /** Breaks every open watch stream mid-chunk (a dropped connection). */
  dropWatches(): void {
    for (const watcher of this.watchers) watcher.drop();
  }

  /** Open watch streams stay open but deliver nothing more (no events, no bookmarks). */
  hangWatches(): void {
    for (const watcher of this.watchers) watcher.hang();
  }

  /** Sends a 410 Gone ERROR event on every open watch and compacts history. */
  expireWatches(): void {
    this.log.compact();
    this.snapshots.clear();
    for (const watcher of this.watchers) watcher.expire(this.log.version);
  }

  /** Number of watch streams currently open. */
  get openWatches(): number {
    return this.watchers.size;
  }

  /** Stops listening and cuts every connection: the API is down. */
  async stop(): Promise<void> {
    for (const watcher of this.watchers) watcher.drop();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listens again on the same port after stop(). */
  async restart(): Promise<void> {
    this.server = this.createServer();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.stop();
  }

  private createServer(): https.Server {
    const server = https.createServer(
      {
        key: this.pki.serverKey,
        cert: this.pki.serverCert,
        ca: this.pki.caCert,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (request, response) => void this.handle(request, response),
    );
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'https://localhost');
    const identity = this.authenticate(request);
    const record = (status: number) =>
      this.requests.push({ path: url.pathname, query: url.searchParams, identity, status });
    if (this.faults.delayMs > 0) await new Promise((r) => setTimeout(r, this.faults.delayMs));
    const watch = url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true';
    const route = ROUTE.exec(url.pathname);
    const failure = this.takeFailure(watch);
    if (identity === '') {
      return reply(response, record, status(401, 'Unauthorized', 'Unauthorized'));
    }
    if (identity === 'limited') {
      const resource = route?.[2] ?? 'resource';
      return reply(response, record, status(403, 'Forbidden', `${resource} is forbidden: ` +
        `User "limited" cannot ${watch ? 'watch' : 'list'} resource "${resource}"`));
    }
    if (request.method !== 'GET' || !route) {
      return reply(response, record, status(404, 'NotFound', 'the server could not find it'));
    }
    if (failure) {
      return reply(response, record, status(failure, reasonOf(failure), 'injected failure'));
    }
    const resource = route[2] as ResourceName;
    const namespace = route[1] ?? '';
    if (watch) return this.watch(resource, namespace, url.searchParams, response, record);
    this.list(resource, namespace, url.searchParams, response, record);
  }

  private list(
    resource: ResourceName,
    namespace: string,
    query: URLSearchParams,
    response: ServerResponse,
    record: (status: number) => void,
  ): void {
    const token = query.get('continue') ?? '';
    const [id, offsetText] = token ? token.split(':') : [randomBytes(6).toString('hex'), '0'];
    let snapshot = this.snapshots.get(id);
    if (token && !snapshot) {
      return reply(response, record, status(410, 'Expired',
        'The provided continue parameter is too old to display a consistent list result.'));
    }
    if (!snapshot) {
      const matches = parseSelector(query.get('labelSelector') ?? '');
      const items = this.log.snapshot(resource).filter((object) =>
        (!namespace || object.metadata.namespace === namespace) &&
        matches(object.metadata.labels));
      snapshot = { items, version: this.log.version };
    }
    const offset = Number(offsetText);
    const limit = Number(query.get('limit') ?? '0') || snapshot.items.length;
    const items = snapshot.items.slice(offset, offset + limit);
    const more = offset + limit < snapshot.items.length;
    if (more) this.snapshots.set(id, snapshot);
    else this.snapshots.delete(id);
    const meta = TYPE_META[resource];
    const metadata: Record<string, unknown> = { resourceVersion: String(snapshot.version) };
    if (more) {
      metadata.continue = `${id}:${offset + limit}`;
      metadata.remainingItemCount = snapshot.items.length - offset - limit;
    }
    record(200);
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({
      kind: `${meta.kind}List`,
      apiVersion: meta.apiVersion,
      metadata,
      items,
    }));
  }

  private watch(
    resource: ResourceName,
    namespace: string,
    query: URLSearchParams,
    response: ServerResponse,
    record: (status: number) => void,
  ): void {
    record(200);
    const watcher = new Watcher(response, {
      resource,
      namespace,
      matches: parseSelector(query.get('labelSelector') ?? ''),
      bookmarks: query.get('allowWatchBookmarks') === 'true' ? this.bookmarkIntervalMs : 0,
      timeoutMs: Number(query.get('timeoutSeconds') ?? '1800') * 1000,
      hung: this.faults.hangNewWatches,
      log: this.log,
    });
    this.watchers.add(watcher);
    response.on('close', () => this.watchers.delete(watcher));
    watcher.start(Number(query.get('resourceVersion') ?? '0'));
  }

  private takeFailure(watch: boolean): number {
    const failure = this.failures.find(
      (f) => f.remaining > 0 && (f.verb === 'any' || (f.verb === 'watch') === watch),
    );
    if (!failure) return 0;
    failure.remaining--;
    return failure.status;
  }

  private authenticate(request: IncomingMessage): string {
    const header = request.headers.authorization ?? '';
    if (header.startsWith('Bearer ')) {
      const presented = header.slice('Bearer '.length);
      if (presented === this.tokens.admin) return 'admin';
      if (presented === this.tokens.limited) return 'limited';
      return '';
    }
    const socket = request.socket as TLSSocket;
    if (!socket.authorized) return '';
    const subject = socket.getPeerCertificate().subject;
    return subject?.CN === 'clusterdns' ? 'admin' : '';
  }
}

/** A Kubernetes Status object as the API sends with errors. */
export interface StatusObject {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: string;
  readonly code: number;
}

export function status(code: number, reason: string, message: string): StatusObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

function reply(
  response: ServerResponse,
  record: (status: number) => void,
  body: StatusObject,
): void {
  record(body.code);
  response.writeHead(body.code, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function reasonOf(code: number): string {
  if (code === 410) return 'Expired';
  if (code === 429) return 'TooManyRequests';
  if (code === 503) return 'ServiceUnavailable';
  return 'InternalError';
}

/** Objects are stored as the API returns list items: without kind and apiVersion. */
function bare(object: KubeObject): KubeObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest as KubeObject;
}

function token(): string {
  return randomBytes(24).toString('base64url');
}

export { keyOf };
