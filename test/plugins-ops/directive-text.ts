/** Parses one directive, written as Corefile text, inside a `.:53` block (as line 1). */
import { parseCorefile } from '../../src/config/corefile.js';
import type { Directive } from '../../src/config/directive.js';

export function parseDirectiveForTest(text: string): Directive {
  const [block] = parseCorefile(`.:53 {\n${text}\n}\n`, 'Corefile');
  const directive = block.directives[0];
  return { ...directive, line: directive.line - 1, block: shift(directive.block) };
}

function shift(block: readonly Directive[]): Directive[] {
  return block.map((d) => ({ ...d, line: d.line - 1, block: shift(d.block) }));
}
