/**
 * Shared setup for ApiSource tests: a test API server with a small cluster, an ApiSource
 * (production code, unchanged) writing into a RecordingStore, and its log lines captured.
 */
import fs from 'node:fs';
import { pino } from 'pino';
import { ApiSource } from '../../src/cluster/api/api-source.js';
import type { ReflectorTuning } from '../../src/cluster/api/reflector.js';
import type { SourceOptions } from '../../src/cluster/source.js';
import { createRegistry, type Registry } from '../../src/metrics/registry.js';
import { namespace, service, slice } from './fixtures.js';
import { RecordingStore } from './recording-store.js';
import { TestApiServer } from './server.js';
import type { KubeconfigAuth } from './kubeconfig.js';
import { makeTempDir } from '../helpers/temp-dir.js';

export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface Harness {
  readonly api: TestApiServer;
  readonly dir: string;
  readonly store: RecordingStore;
  readonly logs: LogRecord[];
  /** Raw log text, to search for secrets. */
  readonly rawLogs: string[];
  readonly registry: Registry;
  source: ApiSource;
  close(): Promise<void>;
}

export const FAST: Partial<ReflectorTuning> = {
  watchTimeoutSeconds: 60,
  watchdogMs: 800,
  listIdleTimeoutMs: 2000,
  backoff: { initialMs: 40, maxMs: 200 },
};

export const BASE_OPTIONS: SourceOptions = {
  kinds: ['Service', 'EndpointSlice', 'Namespace'],
  namespaces: [],
  labelSelector: '',
  namespaceLabelSelector: '',
};

/** The small cluster every test starts from. */
export function seed(api: TestApiServer): void {
  api.load('namespaces', [namespace('default'), namespace('team-a', { dns: 'on' })]);
  api.load('services', [
    service('default', 'web', { clusterIP: '10.96.0.20', labels: { dns: 'yes' } }),
    service('team-a', 'db', { clusterIP: 'None' }),
  ]);
  api.load('endpointslices', [
    slice('default', 'web', 'web-abc12', ['10.1.0.1', '10.1.0.2']),
    slice('team-a', 'db', 'db-xyz34', ['10.1.1.1']),
  ]);
}

export async function harness(
  options: Partial<SourceOptions> = {},
  auth: KubeconfigAuth = 'token',
  start = true,
): Promise<Harness> {
  const api = await TestApiServer.start({ bookmarkIntervalMs: 200 });
  seed(api);
  const dir = makeTempDir('kube-api-test-');
  const store = new RecordingStore();
  const logs: LogRecord[] = [];
  const rawLogs: string[] = [];
  const logger = pino({ level: 'debug' }, {
    write(line: string) {
      rawLogs.push(line);
      logs.push(JSON.parse(line) as LogRecord);
    },
  });
  const registry = createRegistry();
  const source = new ApiSource(
    { kubeconfig: api.kubeconfig(dir, auth) },
    { ...BASE_OPTIONS, ...options },
    store,
    logger,
    { metrics: registry, tuning: FAST },
  );
  if (start) source.start();
  return {
    api,
    dir,
    store,
    logs,
    rawLogs,
    registry,
    source,
    async close() {
      source.close();
      await api.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 10 ms until it returns true; throws with `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Reads one metric's value (no labels) from the registry. */
export async function metric(registry: Registry, name: string): Promise<number> {
  const found = registry.getSingleMetric(name);
  if (!found) return NaN;
  const data = await found.get();
  return data.values[0]?.value ?? NaN;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;
