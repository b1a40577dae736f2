/**
 * Where a configuration comes from: a Corefile (with its imports and their SHA-512 digest, the
 * reload plugin's baseline) or flags already turned into server blocks.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { ServerBlock } from '../config/directive.js';
import { readCorefile } from '../config/corefile.js';
import type { LoadedConfig } from './generation.js';

/** Reads and parses a Corefile each time it is called; throws ConfigError (file:line). */
export function corefileSource(file: string): () => LoadedConfig {
  return () => {
    // Hashing the text read before parsing means a change made while parsing is seen next time.
    let first: Buffer | undefined;
    try {
      first = fs.readFileSync(file);
    } catch {
      // loadCorefile reports the unreadable file with its reason.
    }
    // Every file read, snippet-only imports included: a change to any of them is a change of
    // configuration, even when no block or directive names it as its source.
    const { blocks, files: read } = readCorefile(file);
    const files = [...new Set(read)];
    return { blocks, files, digest: digestFiles(files, first) };
  };
}

/** A configuration built from flags: no files, so nothing for the reload plugin to watch. */
export function blocksSource(build: () => ServerBlock[]): () => LoadedConfig {
  return () => ({ blocks: build(), files: [], digest: '' });
}

/** Hex SHA-512 over the files' contents in order; throws when a file cannot be read. */
export function digestFiles(files: readonly string[], firstContent?: Buffer): string {
  const hash = createHash('sha512');
  files.forEach((file, index) => {
    hash.update(index === 0 && firstContent ? firstContent : fs.readFileSync(file));
    hash.update('\0');
  });
  return hash.digest('hex');
}
