/**
 * Expands snippets and imports in a Corefile's token stream, before it is split into blocks.
 *
 * A snippet is a top-level `(name) { ... }`; `import name [ARGS...]` pastes its tokens, with
 * `{args[N]}` replaced by the Nth argument. Any other `import PATTERN` pastes the tokens of the
 * files it names, resolved relative to the importing file; wildcards (`*`, `?`) are allowed in
 * the last path element only, and a pattern that matches nothing adds nothing (CoreDNS
 * deployments import an optional `custom/*.override` that is often empty). Pasted tokens keep
 * their own file and line, so errors inside them point at the snippet or imported file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { tokenize, type Env, type Token } from './corefile-tokenizer.js';

/**
 * The most tokens a Corefile may expand to. Snippets that import other snippets several times
 * grow exponentially; this stops such a file with an error instead of exhausting memory (a real
 * Corefile has a few hundred tokens).
 */
export const MAX_TOKENS = 1_000_000;

/** Reads an imported file's text; tests may give their own. */
export type ReadFile = (absolutePath: string) => string;

interface ExpandState {
  readonly snippets: Map<string, Token[]>;
  readonly env: Env;
  readonly readFile: ReadFile;
  readonly filesRead: string[];
  depth: number;
  /** Tokens produced so far, against MAX_TOKENS. */
  produced: number;
}

/**
 * Returns the tokens with snippet definitions removed and every `import` replaced. Throws
 * ConfigError CONFIG_SYNTAX for an unknown snippet or missing file, a cycle, or a snippet
 * defined twice. Every imported file read is appended to `filesRead` (absolute paths).
 */
export function expandImports(
  tokens: readonly Token[],
  file: string,
  env: Env,
  readFile: ReadFile = (p) => fs.readFileSync(p, 'utf8'),
  filesRead: string[] = [],
): Token[] {
  const state: ExpandState = {
    snippets: new Map(),
    env,
    readFile,
    filesRead,
    depth: 0,
    produced: 0,
  };
  return expand(tokens, [path.resolve(file)], state);
}

function expand(tokens: readonly Token[], stack: readonly string[], state: ExpandState): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (state.depth === 0 && isSnippetStart(tokens, i)) {
      i = defineSnippet(tokens, i, state);
      continue;
    }
    if (token.startsLine && !token.quoted && token.text === 'import') {
      const args = lineArgs(tokens, i);
      i += args.length;
      out.push(...importTokens(token, args, stack, state));
      continue;
    }
    if (!token.quoted && token.text === '{') state.depth++;
    if (!token.quoted && token.text === '}') state.depth--;
    if (++state.produced > MAX_TOKENS) {
      throw syntax(token, `the Corefile expands to more than ${MAX_TOKENS} tokens through imports`);
    }
    out.push(token);
  }
  return out;
}

function isSnippetStart(tokens: readonly Token[], i: number): boolean {
  const token = tokens[i];
  const next = tokens[i + 1];
  return (
    token.startsLine &&
    !token.quoted &&
    /^\(.+\)$/.test(token.text) &&
    next !== undefined &&
    !next.quoted &&
    next.text === '{'
  );
}

/** Stores `(name) { ... }` and returns the index of its closing brace. */
function defineSnippet(tokens: readonly Token[], start: number, state: ExpandState): number {
  const name = tokens[start].text.slice(1, -1);
  if (state.snippets.has(name)) {
    throw syntax(tokens[start], `snippet (${name}) is defined twice`);
  }
  let depth = 0;
  for (let i = start + 1; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.quoted) continue;
    if (token.text === '{') depth++;
    if (token.text === '}' && --depth === 0) {
      state.snippets.set(name, tokens.slice(start + 2, i));
      return i;
    }
  }
  throw syntax(tokens[start + 1], `missing '}' for snippet (${name})`);
}

function lineArgs(tokens: readonly Token[], i: number): Token[] {
  const args: Token[] = [];
  for (let j = i + 1; j < tokens.length && !tokens[j].startsLine; j++) args.push(tokens[j]);
  return args;
}

function importTokens(
  at: Token,
  args: readonly Token[],
  stack: readonly string[],
  state: ExpandState,
): Token[] {
  if (args.length === 0) throw syntax(at, 'import: expected a snippet name or file pattern');
  const target = args[0].text;
  const snippet = state.snippets.get(target);
  if (snippet) {
    const key = `(${target})`;
    const nested = enter(at, stack, key);
    const values = args.slice(1).map((a) => a.text);
    return expand(restartLine(snippet.map((t) => withArgs(t, values))), nested, state);
  }
  return importFiles(at, target, stack, state);
}

function importFiles(
  at: Token,
  pattern: string,
  stack: readonly string[],
  state: ExpandState,
): Token[] {
  const resolved = path.resolve(path.dirname(at.file), pattern);
  const files = matchFiles(at, pattern, resolved);
  const out: Token[] = [];
  for (const file of files) {
    const nested = enter(at, stack, file);
    const text = state.readFile(file);
    state.filesRead.push(file);
    out.push(...expand(restartLine(tokenize(text, file, state.env)), nested, state));
  }
  return out;
}

function matchFiles(at: Token, pattern: string, resolved: string): string[] {
  const dir = path.dirname(resolved);
  const base = path.basename(resolved);
  if (/[*?[]/.test(dir)) {
    throw syntax(at, `import ${pattern}: wildcards are allowed in the last path element only`);
  }
  if (!/[*?]/.test(base)) {
    if (isFile(resolved)) return [resolved];
    const what = /[/.]/.test(pattern) ? 'no such file' : 'no snippet of that name and no such file';
    throw syntax(at, `import ${pattern}: ${what}`);
  }
  const matcher = globRegExp(base);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => matcher.test(n))
    .sort()
    .map((n) => path.join(dir, n))
    .filter(isFile);
}

function enter(at: Token, stack: readonly string[], key: string): string[] {
  if (stack.includes(key)) {
    const cycle = [...stack.slice(stack.indexOf(key)), key].join(' -> ');
    throw syntax(at, `import cycle: ${cycle}`);
  }
  return [...stack, key];
}

/** The first pasted token starts a directive, whatever line it stood on in its source. */
function restartLine(tokens: Token[]): Token[] {
  if (tokens.length === 0 || tokens[0].startsLine) return tokens;
  return [{ ...tokens[0], startsLine: true }, ...tokens.slice(1)];
}

function withArgs(token: Token, values: readonly string[]): Token {
  if (!token.text.includes('{args[')) return token;
  const text = token.text.replace(/\{args\[(\d+)\]\}/g, (_m, n: string) => values[Number(n)] ?? '');
  return { ...token, text };
}

function globRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function syntax(at: Token, problem: string): ConfigError {
  return new ConfigError('CONFIG_SYNTAX', at, problem);
}
