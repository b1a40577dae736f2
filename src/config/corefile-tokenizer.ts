/**
 * Splits Corefile text into tokens, as CoreDNS's (Caddy v1) lexer does: whitespace separates
 * tokens, `"..."` quotes keep spaces and may span lines (`\"` escapes a quote), `#` outside
 * quotes starts a comment to the end of the line, and `{` / `}` are structural only when they
 * stand alone and unquoted. Environment references `{$NAME}` and `{%NAME%}` are replaced per
 * token, so a value with spaces stays one argument; an unset variable becomes empty text.
 */
import { ConfigError } from '../errors.js';

export interface Token {
  readonly text: string;
  readonly file: string;
  readonly line: number;
  /** True when this is the first token on its line: a new directive starts here. */
  readonly startsLine: boolean;
  /** True when the token was quoted: `"{"` is text, never a brace. */
  readonly quoted: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Tokenizes one file's text; throws ConfigError CONFIG_SYNTAX on an unterminated quote. */
export function tokenize(text: string, file: string, env: Env): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let lastLine = 0;
  // A byte order mark some editors write is not part of the first token.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (isSpace(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }

    const startLine = line;
    const read = ch === '"' ? readQuoted(text, i + 1, file, line) : readBare(text, i);
    line += read.newlines;
    i = read.end;
    const startsLine = startLine !== lastLine;
    lastLine = line;
    if (ch !== '"' && read.text === '{}') {
      // An empty block written `{}` is one word to the lexer but two braces to the parser.
      tokens.push(brace('{', file, startLine, startsLine), brace('}', file, startLine, false));
      continue;
    }
    const quoted = ch === '"';
    tokens.push({ text: substituteEnv(read.text, env), file, line: startLine, startsLine, quoted });
  }
  return tokens;
}

function brace(text: string, file: string, line: number, startsLine: boolean): Token {
  return { text, file, line, startsLine, quoted: false };
}

interface Read {
  readonly text: string;
  readonly end: number;
  readonly newlines: number;
}

function readBare(text: string, start: number): Read {
  let i = start;
  while (i < text.length && !isSpace(text[i]) && text[i] !== '#') i++;
  return { text: text.slice(start, i), end: i, newlines: 0 };
}

function readQuoted(text: string, start: number, file: string, line: number): Read {
  let value = '';
  let newlines = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && text[i + 1] === '"') {
      value += '"';
      i++;
      continue;
    }
    if (ch === '"') return { text: value, end: i + 1, newlines };
    if (ch === '\n') newlines++;
    value += ch;
  }
  throw new ConfigError('CONFIG_SYNTAX', { file, line }, 'unterminated quoted string');
}

const ENV_REF = /\{\$([A-Za-z_][A-Za-z0-9_]*)\}|\{%([A-Za-z_][A-Za-z0-9_]*)%\}/g;

function substituteEnv(text: string, env: Env): string {
  if (!text.includes('{')) return text;
  return text.replace(ENV_REF, (_m, unix: string | undefined, win: string | undefined) => {
    return env[unix ?? win ?? ''] ?? '';
  });
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v';
}
