/**
 * Reads the state files at a path: the file itself, or the `*.yaml`, `*.yml` and `*.json`
 * files directly inside a directory (not recursive: a ConfigMap mount keeps older versions in
 * hidden subdirectories, which must not be read as well).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { StateFileError } from '../errors.js';

export interface StateFileText {
  readonly file: string;
  readonly text: string;
}

const STATE_FILE = /^[^.].*\.(ya?ml|json)$/i;

async function listFiles(target: string): Promise<string[]> {
  const info = await stat(target);
  if (!info.isDirectory()) return [target];
  const names = (await readdir(target)).filter((name) => STATE_FILE.test(name)).sort();
  return names.map((name) => path.join(target, name));
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads every state file at `target`, in name order. Throws StateFileError (line 0) when the
 * path or one of its files cannot be read.
 */
export async function readStatePath(target: string): Promise<StateFileText[]> {
  let files: string[];
  try {
    files = await listFiles(target);
  } catch (error) {
    throw new StateFileError({ file: target, line: 0 }, reasonOf(error), { cause: error });
  }
  return Promise.all(
    files.map(async (file) => {
      try {
        return { file, text: await readFile(file, 'utf8') };
      } catch (error) {
        throw new StateFileError({ file, line: 0 }, reasonOf(error), { cause: error });
      }
    }),
  );
}

/**
 * A cheap summary (names, sizes, modification times, inodes) of the files at `target` that
 * changes when any of them does; 'missing' when the path cannot be read.
 */
export async function fingerprintPath(target: string): Promise<string> {
  try {
    const files = await listFiles(target);
    const parts = await Promise.all(
      files.map(async (file) => {
        const info = await stat(file);
        return `${file}:${info.size}:${info.mtimeMs}:${info.ino}`;
      }),
    );
    return parts.join('\n');
  } catch {
    return 'missing';
  }
}
