/**
 * Turns the parsed objects of all state files into the model objects to store, per kind.
 */
import type { ClusterObject, ObjectKind } from './model.js';
import { InvalidObjectError, StateFileError } from '../errors.js';
import type { ParsedObject } from './state-file-parser.js';
import type { StateFilter } from './state-filter.js';
import { objectKey, stripObjects } from './strip.js';

/** The model objects of one full state, per kind, each key once. */
export type StateSnapshot = ReadonlyMap<ObjectKind, readonly ClusterObject[]>;

/**
 * Filters and strips `objects`. An object that appears twice (same kind and key, e.g. in two
 * files) counts once, the later one winning, as a later `kubectl apply` would. Throws
 * StateFileError naming the file and the line of the offending field when an object that
 * passes the filter is malformed.
 */
export function buildSnapshot(
  objects: readonly ParsedObject[],
  filter: StateFilter,
): StateSnapshot {
  const keep = filter.prepare(objects.map((object) => object.raw));
  const byKind = new Map<ObjectKind, Map<string, ClusterObject>>();
  for (const kind of filter.storedKinds) byKind.set(kind, new Map());
  for (const object of objects) {
    if (!keep(object.raw)) continue;
    for (const model of strip(object)) byKind.get(model.kind)?.set(objectKey(model), model);
  }
  const snapshot = new Map<ObjectKind, readonly ClusterObject[]>();
  for (const [kind, models] of byKind) snapshot.set(kind, [...models.values()]);
  return snapshot;
}

function strip(object: ParsedObject): ClusterObject[] {
  try {
    return stripObjects(object.raw);
  } catch (error) {
    if (!(error instanceof InvalidObjectError)) throw error;
    const position = { file: object.file, line: object.lineOf(error.field) };
    throw new StateFileError(position, error.message, { cause: error });
  }
}
