/**
 * Cluster state from YAML/JSON files: loaded at start, then watched. Every change re-reads
 * all files and is applied only when all of them parse, so a half-written or broken file
 * never empties the state: the last good state keeps serving and the problem is logged with
 * its file and line. The first good load after a rejected one logs `state recovered`, so the
 * end of a breakage is as visible as its start.
 *
 * Known shortcoming: a file caught mid-write that happens to parse (cut at a document
 * boundary) is applied until the write completes, about 100 ms later; detecting that would
 * need a writer protocol. Writers that replace files by rename (editors, ConfigMap mounts,
 * `kubectl get ... > tmp && mv tmp state.yaml`) never expose a partial file.
 */
import { watch, type FSWatcher } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ClusterSource, SourceOptions } from './source.js';
import type { ClusterStore } from './model.js';
import { StateFileError } from '../errors.js';
import { StateFilter } from './state-filter.js';
import { parseStateText } from './state-file-parser.js';
import { buildSnapshot, type StateSnapshot } from './state-snapshot.js';
import { fingerprintPath, readStatePath, type StateFileText } from './state-path-reader.js';

/** How quickly changes are noticed; injectable so tests can tighten or loosen it. */
export interface StateFileTiming {
  /** Interval of the modification-time poll that backs up fs.watch. */
  readonly pollMs: number;
  /** Quiet time after a change event before reloading (editors write in several steps). */
  readonly debounceMs: number;
}

// Poll plus debounce plus a parse stays well under the one second a change may take.
const DEFAULT_TIMING: StateFileTiming = { pollMs: 250, debounceMs: 100 };

/** The failure mark of a path that could not be read (no digest exists then). */
const UNREADABLE = 'unreadable';

export class StateFileSource implements ClusterSource {
  private readonly filter: StateFilter;
  private readonly watchers: FSWatcher[] = [];
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private loading: Promise<void> | undefined;
  private reloadAgain = false;
  private closed = false;
  private loaded = false;
  private fingerprint = '';
  private appliedDigest = '';
  private appliedFiles = 0;
  private appliedCounts: Record<string, number> = {};
  /** The digest (or UNREADABLE) of the last rejected state; '' once a good state loads again. */
  private failedDigest = '';

  /** Throws LabelSelectorError when a selector in `options` does not parse. */
  constructor(
    private readonly statePath: string,
    options: SourceOptions,
    private readonly store: ClusterStore,
    private readonly logger: Logger,
    private readonly timing: StateFileTiming = DEFAULT_TIMING,
  ) {
    this.filter = new StateFilter(options);
  }

  start(): void {
    this.watchPath();
    this.pollTimer = setInterval(() => void this.poll(), this.timing.pollMs);
    this.pollTimer.unref();
    void this.reload();
  }

  synced(): boolean {
    return this.loaded;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.debounceTimer);
    for (const watcher of this.watchers.splice(0)) watcher.close();
    await this.loading;
  }

  /**
   * Watches the directory that holds the path (so that a file replaced by rename, as editors
   * and ConfigMap updates do, is still seen) and the path itself when it is a directory.
   * Watching is best effort: the poll notices whatever it misses.
   */
  private watchPath(): void {
    const base = path.basename(this.statePath);
    this.tryWatch(path.dirname(this.statePath), (name) => name === null || name === base);
    this.tryWatch(this.statePath, () => true);
  }

  private tryWatch(target: string, relevant: (name: string | null) => boolean): void {
    try {
      const watcher = watch(target, { persistent: false }, (_event, name) => {
        if (relevant(name === null ? null : String(name))) this.schedule();
      });
      watcher.on('error', () => watcher.close());
      this.watchers.push(watcher);
    } catch {
      // Not there (yet) or not watchable: the poll covers it.
    }
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      if ((await fingerprintPath(this.statePath)) !== this.fingerprint) this.schedule();
    } finally {
      this.polling = false;
    }
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => void this.reload(), this.timing.debounceMs);
  }

  /** Runs one load at a time; a change during a load causes one more load after it. */
  private async reload(): Promise<void> {
    if (this.loading !== undefined) {
      this.reloadAgain = true;
      return;
    }
    this.loading = (async () => {
      do {
        this.reloadAgain = false;
        // A store that throws must not take the process down; the next change retries.
        await this.loadOnce().catch((error: unknown) =>
          this.logger.error({ path: this.statePath, err: error }, 'state load failed'),
        );
      } while (this.reloadAgain && !this.closed);
    })();
    try {
      await this.loading;
    } finally {
      this.loading = undefined;
    }
  }

  private async loadOnce(): Promise<void> {
    const started = performance.now();
    // Taken before reading, so that a write during the read shows as a change to the poll.
    this.fingerprint = await fingerprintPath(this.statePath);
    let files: StateFileText[];
    try {
      files = await readStatePath(this.statePath);
    } catch (error) {
      this.reject(error, UNREADABLE);
      return;
    }
    const digest = digestOf(files);
    if (digest === this.appliedDigest) {
      // Back to what is being served (a broken edit undone, a removed file restored): nothing
      // to apply, but the end of the breakage is reported.
      if (this.failedDigest !== '') this.logRecovered(false, performance.now() - started);
      this.failedDigest = '';
      return;
    }
    // The same broken content again (a touch, a second watch event) is reported once.
    if (digest === this.failedDigest || this.closed) return;
    let snapshot: StateSnapshot;
    try {
      snapshot = buildSnapshot(files.flatMap((f) => parseStateText(f.text, f.file)), this.filter);
    } catch (error) {
      this.failedDigest = digest;
      this.reject(error, digest);
      return;
    }
    this.apply(snapshot, files.length, performance.now() - started);
    this.appliedDigest = digest;
    this.failedDigest = '';
  }

  private apply(snapshot: StateSnapshot, files: number, ms: number): void {
    for (const [kind, objects] of snapshot) this.store.replaceAll(kind, objects);
    const counts = [...snapshot].map(([kind, list]) => [kind, list.length] as const);
    this.appliedCounts = Object.fromEntries(counts);
    this.appliedFiles = files;
    if (this.loaded && this.failedDigest !== '') {
      this.logRecovered(true, ms);
      return;
    }
    const fields = { path: this.statePath, files, objects: this.appliedCounts, ms: Math.round(ms) };
    if (this.loaded) {
      this.logger.info(fields, 'state reloaded');
      return;
    }
    for (const kind of this.filter.storedKinds) this.store.markSynced(kind);
    this.loaded = true;
    this.logger.info(fields, 'state loaded');
  }

  /**
   * One info line for a good state after a rejected one, once the state had loaded (before
   * that, `state loaded` marks the end of the breakage). `changed` tells whether the good state
   * differs from the one kept serving through the breakage.
   */
  private logRecovered(changed: boolean, ms: number): void {
    const fields = {
      path: this.statePath,
      files: this.appliedFiles,
      objects: this.appliedCounts,
      changed,
      ms: Math.round(ms),
    };
    this.logger.info(fields, 'state recovered');
  }

  /**
   * Logs a state that could not be used: at error before the first load (nothing is served
   * yet), at warn afterwards (the last good state keeps serving). An unreadable path is
   * logged once until it becomes readable again.
   */
  private reject(error: unknown, digest: string): void {
    if (digest === UNREADABLE && this.failedDigest === UNREADABLE) return;
    if (digest === UNREADABLE) this.failedDigest = UNREADABLE;
    // `line` only when one is known: an unreadable path has none.
    const position = error instanceof StateFileError ? error.position : undefined;
    const reason = error instanceof StateFileError ? error.reason : String(error);
    const file = position?.file ?? this.statePath;
    const line = position !== undefined && position.line > 0 ? { line: position.line } : {};
    const logged = { path: this.statePath, file, ...line, reason };
    if (this.loaded) this.logger.warn(logged, 'state file rejected, keeping the last good state');
    else this.logger.error(logged, 'state file rejected, no cluster state loaded');
  }
}

function digestOf(files: readonly StateFileText[]): string {
  const hash = createHash('sha256');
  for (const { file, text } of files) hash.update(`${file}\0${text.length}\0`).update(text);
  return hash.digest('hex');
}
