/**
 * Temporary directories for tests and benchmarks that cannot outlive their process. Each
 * directory made here is removed by `removeTempDir` (call it from after()/finally/close()) and,
 * whatever happens, when the process exits: a failed assertion or a thrown setup error must not
 * leave test keys and Corefiles behind in /tmp. `node --test` runs every test file in its own
 * process, so the exit hook fires once per file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const live = new Set<string>();

function removeAll(): void {
  for (const dir of live) fs.rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/** Creates `<tmpdir>/<prefix>XXXXXX`; it is removed at process exit if not removed before. */
export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (live.size === 0) process.once('exit', removeAll);
  live.add(dir);
  return dir;
}

/** Removes a directory made by `makeTempDir` (or any directory) now, with its contents. */
export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  if (!live.delete(dir) || live.size > 0) return;
  process.removeListener('exit', removeAll);
}

/** The number of directories made here and not yet removed (for the helper's own test). */
export function liveTempDirs(): number {
  return live.size;
}
