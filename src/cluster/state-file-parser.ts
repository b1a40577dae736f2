/**
 * Parses the text of one state file (YAML or JSON: a single object, a multi-document stream,
 * or a `kind: List`, nested lists included) into the objects it holds, each with the line it
 * starts on and a way to find the line of any of its fields. YAML goes through the `yaml`
 * library, which tracks lines; JSON takes a faster path (see parseJson).
 *
 * Known shortcoming: the `yaml` library parses about 1 MB of YAML per second, so a state of
 * thousands of objects takes seconds to load as YAML; the same state as JSON loads in well
 * under a second. Large states should be dumped with `-o json`.
 */
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { StateFileError } from '../errors.js';
import { isJsonMap, type FieldPath } from './field-reader.js';

/** One object of a state file. */
export interface ParsedObject {
  /** The object as plain JSON data. */
  readonly raw: unknown;
  readonly file: string;
  /** 1-based line where the object starts. */
  readonly line: number;
  /** The line of a field inside the object, or of its nearest present ancestor. */
  lineOf(field: FieldPath): number;
}

// Aliases expand into copies; a small cap defeats "billion laughs" files.
const MAX_ALIAS_COUNT = 100;

/**
 * Parses `text`, read from `file`. Throws StateFileError (`FILE:LINE: reason`) for a syntax
 * error, a document that is not a mapping, or an object without `kind`; nothing is returned
 * then, so a caller never sees part of a broken file.
 */
export function parseStateText(text: string, file: string): ParsedObject[] {
  return (text.trimStart().startsWith('{') && parseJson(text, file)) || parseYaml(text, file);
}

/**
 * The fast path for JSON (`kubectl get -o json`), which JSON.parse reads many times faster
 * than a YAML parser. Lines are only needed to report a problem, so they come from a YAML
 * parse of the same text done when first asked for. Returns null when the text is not plain
 * valid JSON holding Kubernetes objects: the YAML parser then reads it or reports the problem.
 */
function parseJson(text: string, file: string): ParsedObject[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const raws: unknown[] = [];
  if (!collectJson(value, raws)) return null;
  let located: ParsedObject[] | undefined;
  const locate = (index: number): ParsedObject | undefined => {
    try {
      located ??= parseYaml(text, file);
    } catch {
      located = [];
    }
    return located[index];
  };
  return raws.map((raw, index) => ({
    raw,
    file,
    get line() {
      return locate(index)?.line ?? 0;
    },
    lineOf: (field) => locate(index)?.lineOf(field) ?? 0,
  }));
}

/** Adds the objects of `value` in the order `collect` visits them; false when malformed. */
function collectJson(value: unknown, raws: unknown[]): boolean {
  if (!isJsonMap(value) || typeof value.kind !== 'string' || value.kind === '') return false;
  if (value.kind.endsWith('List') && Array.isArray(value.items)) {
    return value.items.every((item) => collectJson(item, raws));
  }
  raws.push(value);
  return true;
}

function parseYaml(text: string, file: string): ParsedObject[] {
  const lineCounter = new LineCounter();
  const lineAt = (node: Node | undefined): number =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 0;
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const objects: ParsedObject[] = [];
  for (const document of documents) {
    const error = document.errors[0];
    if (error !== undefined) {
      // An error at the end of input (an unclosed bracket) names the last line, not the one after.
      const offset = Math.max(0, Math.min(error.pos[0], text.trimEnd().length - 1));
      const line = lineCounter.linePos(offset).line;
      throw new StateFileError({ file, line }, error.message, { cause: error });
    }
    const value = documentValue(document, file, lineAt);
    if (value === null || value === undefined || document.contents === null) continue;
    collect(document.contents, value, { file, lineAt, objects });
  }
  return objects;
}

/**
 * The document as plain data. toJS throws (a ReferenceError, not a parse error) when aliases
 * expand past MAX_ALIAS_COUNT; that, or anything else it throws, is reported as a StateFileError
 * against this file and the document's first line, like any other problem in it.
 */
function documentValue(
  document: Document.Parsed,
  file: string,
  lineAt: (node: Node | undefined) => number,
): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const line = lineAt(document.contents ?? undefined) || 1;
    // yaml reports alias trouble (too many expansions) as a ReferenceError.
    const reason = error instanceof ReferenceError
      ? `YAML aliases expand to more than ${MAX_ALIAS_COUNT} copies (an alias bomb?)`
      : String(error instanceof Error ? error.message : error);
    throw new StateFileError({ file, line }, reason, { cause: error });
  }
}

interface Collector {
  readonly file: string;
  readonly lineAt: (node: Node | undefined) => number;
  readonly objects: ParsedObject[];
}

/** Adds the object at `node`, or the items of a list (`kind: List`, `ServiceList`, ...). */
function collect(node: Node, value: unknown, collector: Collector): void {
  const { file, lineAt } = collector;
  const line = lineAt(node);
  if (!isJsonMap(value)) {
    throw new StateFileError({ file, line }, 'expected a Kubernetes object (a mapping)');
  }
  if (typeof value.kind !== 'string' || value.kind === '') {
    throw new StateFileError({ file, line }, 'object has no kind');
  }
  if (value.kind.endsWith('List') && Array.isArray(value.items) && isMap(node)) {
    const items = node.get('items', true);
    value.items.forEach((item, index) => {
      const itemNode = isSeq(items) ? (items.items[index] as Node | undefined) : undefined;
      collect(itemNode ?? node, item, collector);
    });
    return;
  }
  collector.objects.push({
    raw: value,
    file,
    line,
    lineOf: (field) => lineAt(fieldNode(node, field)),
  });
}

/** The node of `field` under `node`, or of the deepest ancestor present. */
function fieldNode(node: Node, field: FieldPath): Node {
  let current = node;
  for (const part of field) {
    const next: unknown = isMap(current) || isSeq(current) ? current.get(part, true) : undefined;
    if (next === undefined || next === null || typeof next !== 'object') break;
    current = next as Node;
  }
  return current;
}
