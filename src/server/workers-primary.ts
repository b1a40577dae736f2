/**
 * The primary of `serve --workers N`: forks N worker processes (Node's `cluster`) that serve
 * the same DNS port, and keeps them running.
 *
 * On a configured port each worker binds its own batch UDP socket with SO_REUSEPORT (the
 * kernel picks one per client flow; udp-listener.ts). Everything else binds through the
 * primary, which holds each listening socket once and shares it: TCP, whose connections the
 * primary deals out in turn, UDP on port 0 or with `--udp-io dgram` (every worker reads the
 * one node:dgram socket), and the HTTP plugins (health, ready, prometheus). A port 0 resolves
 * once, so all workers serve the port the first bind got.
 *
 * Contract: `start` resolves once every worker serves and rejects if one exits before; after
 * that a worker that exits is forked again after a backoff (logged at warn). `reload` and
 * `shutdown` pass SIGHUP and SIGTERM on, so lameduck and reload behave as with one process.
 */
import cluster, { type Worker } from 'node:cluster';
import client from 'prom-client';
import type { Logger } from 'pino';
import { ClusterDnsError } from '../errors.js';
import type { BoundAddress } from './instance.js';
import { isWorkerMessage, type MetricsResponse, type WorkerMessage } from './workers-messages.js';

export interface WorkerPoolOptions {
  readonly count: number;
  readonly logger: Logger;
  /** Extra environment for each worker; `slotVariable` is added with the worker's slot. */
  readonly slotVariable: string;
  /** First restart delay; doubled per consecutive crash of one slot, up to `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A worker that served this long before exiting starts its slot's backoff afresh. */
  readonly stableMs?: number;
}

interface Slot {
  worker: Worker | null;
  servingSince: number;
  /** Every readiness source of the worker's configuration is ready. */
  ready: boolean;
  crashes: number;
  restart: NodeJS.Timeout | null;
}

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly aggregator = new client.AggregatorRegistry();
  private listeners: readonly BoundAddress[] | null = null;
  private allReady = false;
  private started = false;
  private stopping = false;
  private startup: { resolve: (l: BoundAddress[]) => void; reject: (e: Error) => void } | null =
    null;
  private allExited: (() => void) | null = null;
  private stopped: Promise<boolean> | null = null;
  private cleanStop = true;

  constructor(private readonly options: WorkerPoolOptions) {
    this.slots = Array.from({ length: options.count }, () => ({
      worker: null,
      servingSince: 0,
      ready: false,
      crashes: 0,
      restart: null,
    }));
  }

  /** Forks every worker; resolves with the shared listeners once all of them serve. */
  start(): Promise<BoundAddress[]> {
    const ready = new Promise<BoundAddress[]>((resolve, reject) => {
      this.startup = { resolve, reject };
    });
    this.slots.forEach((_, index) => this.fork(index));
    return ready;
  }

  /** Passes a reload on to every worker. */
  reload(): void {
    for (const slot of this.slots) slot.worker?.process.kill('SIGHUP');
  }

  /**
   * Stops every worker (each honours its lameduck); resolves once all have exited, with
   * true when each of them exited with code 0.
   */
  shutdown(): Promise<boolean> {
    if (this.stopped) return this.stopped;
    this.stopping = true;
    this.stopped = new Promise<boolean>((resolve) => {
      this.allExited = () => resolve(this.cleanStop);
    });
    for (const slot of this.slots) {
      if (slot.restart) clearTimeout(slot.restart);
      slot.restart = null;
      slot.worker?.process.kill('SIGTERM');
    }
    this.checkAllExited();
    return this.stopped;
  }

  private fork(index: number): void {
    const slot = this.slots[index];
    slot.restart = null;
    const worker = cluster.fork({ [this.options.slotVariable]: String(index) });
    slot.worker = worker;
    slot.servingSince = 0;
    slot.ready = false;
    worker.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) this.onMessage(index, worker, message);
    });
    worker.on('exit', (code, signal) => this.onExit(index, worker, code, signal));
  }

  private onMessage(index: number, worker: Worker, message: WorkerMessage): void {
    if (message.type === 'clusterdns:metrics-request') {
      void this.answerMetrics(worker, message.id);
      return;
    }
    if (message.type === 'clusterdns:ready') {
      this.slots[index].ready = message.ready;
      this.shareReadiness();
      return;
    }
    const slot = this.slots[index];
    slot.servingSince = Date.now();
    this.listeners ??= message.listeners;
    if (this.started) {
      const workerPid = worker.process.pid;
      this.options.logger.info({ slot: index, workerPid }, 'worker replaced');
      return;
    }
    if (this.slots.every((s) => s.servingSince > 0)) {
      this.started = true;
      this.startup?.resolve([...this.listeners]);
    }
  }

  private async answerMetrics(worker: Worker, id: number): Promise<void> {
    let response: MetricsResponse;
    try {
      const text = await this.aggregator.clusterMetrics();
      response = { type: 'clusterdns:metrics-response', id, text };
    } catch (err) {
      response = { type: 'clusterdns:metrics-response', id, error: String(err) };
    }
    if (worker.isConnected()) worker.send(response);
  }

  private onExit(index: number, worker: Worker, code: number | null, signal: string | null) {
    const slot = this.slots[index];
    if (slot.worker === worker) slot.worker = null;
    slot.ready = false;
    this.shareReadiness();
    if (this.stopping) {
      this.cleanStop &&= code === 0;
      this.checkAllExited();
      return;
    }
    if (!this.started) {
      this.failStartup(index, code, signal);
      return;
    }
    const stable = slot.servingSince > 0 && Date.now() - slot.servingSince >= this.stableMs;
    slot.crashes = stable ? 1 : slot.crashes + 1;
    const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (slot.crashes - 1));
    const workerPid = worker.process.pid;
    this.options.logger.warn(
      { slot: index, workerPid, code, signal, restartInMs: delay },
      'worker exited; restarting',
    );
    slot.restart = setTimeout(() => this.fork(index), delay);
  }

  /** A worker that cannot start (bad configuration, port taken) fails the whole server. */
  private failStartup(index: number, code: number | null, signal: string | null): void {
    const cause = signal ?? `exit code ${code}`;
    const err = new ClusterDnsError('LISTEN', `worker ${index} stopped before serving (${cause})`);
    this.startup?.reject(err);
    this.startup = null;
    void this.shutdown();
  }

  /** Tells every worker when "all workers ready" changes (each one's `/ready` depends on it). */
  private shareReadiness(): void {
    const allReady = this.slots.every((s) => s.ready);
    if (allReady === this.allReady) return;
    this.allReady = allReady;
    for (const slot of this.slots) {
      if (slot.worker?.isConnected()) slot.worker.send({ type: 'clusterdns:peers', allReady });
    }
  }

  private checkAllExited(): void {
    if (this.slots.some((s) => s.worker !== null)) return;
    this.allExited?.();
    this.allExited = null;
  }

  private get backoffMs(): number {
    return this.options.backoffMs ?? 100;
  }

  private get maxBackoffMs(): number {
    return this.options.maxBackoffMs ?? 30_000;
  }

  private get stableMs(): number {
    return this.options.stableMs ?? 10_000;
  }
}
