/**
 * The Corefile: CoreDNS's configuration syntax, read into server blocks of directives.
 *
 * Text goes through four steps: tokenize (quotes, comments, `{$ENV}`), expand snippets and
 * imports, split into blocks, and normalize the block keys. Every failure is a ConfigError
 * whose message reads `FILE:LINE: problem`. Plugins parse their own directives later (the
 * chain's registry), so an unknown plugin is not an error here.
 */
import fs from 'node:fs';
import { ConfigError } from '../errors.js';
import type { ServerBlock } from './directive.js';
import { expandImports } from './corefile-imports.js';
import { parseBlocks } from './corefile-parser.js';
import { tokenize, type Env } from './corefile-tokenizer.js';
import { parseServerKey } from './server-key.js';

export type { Env } from './corefile-tokenizer.js';

/**
 * Parses Corefile text. `file` names the source in errors and anchors relative imports.
 * `env` supplies `{$NAME}` values (none when omitted); imported files read are appended to
 * `filesRead`. Keys come back normalized as
 * `zone:port` (`.:53`, `cluster.local:53`); see server-key.ts to split them.
 */
export function parseCorefile(
  text: string,
  file: string,
  env: Env = {},
  filesRead: string[] = [],
): ServerBlock[] {
  const tokens = expandImports(tokenize(text, file, env), file, env, undefined, filesRead);
  if (tokens.length === 0) {
    throw new ConfigError('CONFIG_SYNTAX', { file, line: 1 }, 'empty Corefile: no server block');
  }
  return normalizeKeys(parseBlocks(tokens));
}

/** Reads and parses a Corefile, with `{$NAME}` taken from this process's environment. */
export function loadCorefile(path: string): ServerBlock[] {
  return readCorefile(path).blocks;
}

/**
 * Like loadCorefile, and also lists every file read: the Corefile first, then each imported
 * file (absolute paths, in import order), including those that held only snippets or nothing,
 * which is what a reload must watch.
 */
export function readCorefile(path: string): { blocks: ServerBlock[]; files: string[] } {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(
      'CONFIG_SYNTAX',
      { file: path, line: 0 },
      `cannot read Corefile (${reason})`,
      {
        cause: err,
      },
    );
  }
  const files = [path];
  const blocks = parseCorefile(text, path, process.env, files);
  return { blocks, files };
}

/** Normalizes keys and refuses a zone:port that two blocks (or one block twice) declare. */
function normalizeKeys(blocks: readonly ServerBlock[]): ServerBlock[] {
  const seen = new Map<string, ServerBlock>();
  return blocks.map((block) => {
    if (block.keys.length === 0) {
      throw new ConfigError('CONFIG_SYNTAX', block, 'server block has no keys');
    }
    const keys = block.keys.map((raw) => {
      const key = parseServerKey(raw, block);
      const earlier = seen.get(key.text);
      if (earlier) {
        const where = `${earlier.file}:${earlier.line}`;
        throw new ConfigError(
          'CONFIG_SYNTAX',
          block,
          `zone ${key.text} is already served by the block at ${where}`,
        );
      }
      seen.set(key.text, block);
      return key.text;
    });
    return { ...block, keys };
  });
}
