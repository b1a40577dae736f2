/**
 * Typed reads of fields of an untrusted Kubernetes object (parsed JSON or YAML). Every failed
 * read throws InvalidObjectError naming the object and the path of the field, so that a file
 * source can point at the line the field came from.
 */
import { InvalidObjectError } from '../errors.js';

export type FieldPath = readonly (string | number)[];

export type JsonMap = Readonly<Record<string, unknown>>;

/** True for a plain JSON object (not null, not an array). */
export function isJsonMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `spec.ports[0].port` from `['spec', 'ports', 0, 'port']`. */
export function formatPath(path: FieldPath): string {
  let text = '';
  for (const part of path) {
    text += typeof part === 'number' ? `[${part}]` : text === '' ? part : `.${part}`;
  }
  return text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

/** Reads the fields of one object; `objectName` is filled in once the name is known. */
export class FieldReader {
  objectName = '';

  constructor(readonly kind: string) {}

  /** Throws InvalidObjectError for the field at `path`. */
  fail(path: FieldPath, reason: string): never {
    throw new InvalidObjectError(this.kind, this.objectName, path, reason);
  }

  /** A mapping, or undefined when absent or null. */
  map(value: unknown, path: FieldPath): JsonMap | undefined {
    if (value === undefined || value === null) return undefined;
    if (isJsonMap(value)) return value;
    return this.fail(path, `${formatPath(path)} must be a mapping, got ${describe(value)}`);
  }

  /** A list; absent or null reads as empty (the API omits empty lists). */
  list(value: unknown, path: FieldPath): readonly unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    return this.fail(path, `${formatPath(path)} must be a list, got ${describe(value)}`);
  }

  /** A string, or undefined when absent or null. */
  optionalString(value: unknown, path: FieldPath): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    return this.fail(path, `${formatPath(path)} must be a string, got ${describe(value)}`);
  }

  /** A non-empty string. */
  requiredString(value: unknown, path: FieldPath): string {
    const text = this.optionalString(value, path);
    if (text === undefined || text === '') return this.fail(path, `${formatPath(path)} is missing`);
    return text;
  }

  /** A boolean, or undefined when absent or null. */
  optionalBoolean(value: unknown, path: FieldPath): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    return this.fail(path, `${formatPath(path)} must be true or false, got ${describe(value)}`);
  }

  /** An integer in [min, max]. */
  integer(value: unknown, path: FieldPath, min: number, max: number): number {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
      return value;
    }
    const range = `an integer from ${min} to ${max}`;
    return this.fail(path, `${formatPath(path)} must be ${range}, got ${describe(value)}`);
  }
}
