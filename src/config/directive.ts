/**
 * A parsed Corefile directive: a plugin name, its arguments, and its nested block, each with
 * the file and line it came from so that every configuration error can name them.
 */

export interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  /** Lines of the nested `{ ... }` block; empty when there is none. */
  readonly block: readonly Directive[];
  readonly file: string;
  readonly line: number;
}

/** One server block: its keys (`cluster.local:53`, `.:53`) and its plugin directives. */
export interface ServerBlock {
  readonly keys: readonly string[];
  readonly directives: readonly Directive[];
  readonly file: string;
  readonly line: number;
}
