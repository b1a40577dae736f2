/**
 * Turns an expanded token stream into server blocks: key lines, then `{`, then one directive
 * per line (name and arguments), each optionally followed by a nested `{ ... }` block, then
 * `}`. A file holding a single server block may leave out its braces, as in CoreDNS.
 * Keys are returned as written; corefile.ts normalizes them.
 */
import { ConfigError } from '../errors.js';
import type { Directive, ServerBlock } from './directive.js';
import type { Token } from './corefile-tokenizer.js';

/** Parses tokens into blocks; throws ConfigError CONFIG_SYNTAX on misplaced or missing braces. */
export function parseBlocks(tokens: readonly Token[]): ServerBlock[] {
  return new BlockParser(tokens).blocks();
}

class BlockParser {
  private pos = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  blocks(): ServerBlock[] {
    const blocks: ServerBlock[] = [];
    while (this.pos < this.tokens.length) {
      const first = this.tokens[this.pos];
      if (isBrace(first, '}')) throw syntax(first, "unexpected '}': no block is open");
      if (isBrace(first, '{')) {
        throw syntax(first, "unexpected '{': a server block needs keys before it");
      }

      const keys = this.keys();
      const open = this.peek();
      if (open && isBrace(open, '{')) {
        this.pos++;
        blocks.push(block(keys, this.directives(open), first));
        continue;
      }
      if (blocks.length > 0) {
        throw syntax(open ?? first, "expected '{' after the server block keys");
      }
      blocks.push(block(keys, this.directives(null), first));
    }
    return blocks;
  }

  /** Reads the key line(s): a line ending in ',' continues on the next. */
  private keys(): string[] {
    const keys: string[] = [];
    let continues = true;
    while (continues) {
      continues = false;
      for (const token of this.line()) {
        keys.push(...token.text.split(',').filter((k) => k !== ''));
        continues = token.text.endsWith(',');
      }
      const next = this.peek();
      if (!next || isBrace(next, '{') || isBrace(next, '}')) break;
    }
    return keys;
  }

  /** Reads directives until the `}` that matches `open`, or to the end when `open` is null. */
  private directives(open: Token | null): Directive[] {
    const directives: Directive[] = [];
    for (;;) {
      const token = this.peek();
      if (!token) {
        if (open) throw syntax(open, `missing '}': the block opened here is not closed`);
        return directives;
      }
      if (isBrace(token, '}')) {
        if (!open) throw syntax(token, "unexpected '}': no block is open");
        this.pos++;
        return directives;
      }
      if (isBrace(token, '{')) throw syntax(token, "unexpected '{': expected a directive name");
      directives.push(this.directive());
    }
  }

  private directive(): Directive {
    const [name, ...args] = this.line();
    const next = this.peek();
    let nested: Directive[] = [];
    if (next && isBrace(next, '{')) {
      this.pos++;
      nested = this.directives(next);
    }
    return {
      name: name.text,
      args: args.map((a) => a.text),
      block: nested,
      file: name.file,
      line: name.line,
    };
  }

  /** Takes the tokens from here to the end of the line, stopping before a brace. */
  private line(): Token[] {
    const out: Token[] = [this.tokens[this.pos++]];
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos];
      if (token.startsLine || isBrace(token, '{') || isBrace(token, '}')) break;
      out.push(token);
      this.pos++;
    }
    return out;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
}

function block(keys: string[], directives: Directive[], at: Token): ServerBlock {
  return { keys, directives, file: at.file, line: at.line };
}

function isBrace(token: Token, brace: '{' | '}'): boolean {
  return !token.quoted && token.text === brace;
}

function syntax(at: Token, problem: string): ConfigError {
  return new ConfigError('CONFIG_SYNTAX', at, problem);
}
