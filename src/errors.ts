/**
 * The error catalog. Callers branch on the class or `code`, never on message text; wrapping
 * keeps `cause`.
 */

export type ErrorCode =
  | 'CONFIG_SYNTAX'
  | 'CONFIG_UNKNOWN_PLUGIN'
  | 'CONFIG_UNKNOWN_OPTION'
  | 'CONFIG_BAD_VALUE'
  | 'STATE_PARSE'
  | 'STATE_INVALID'
  | 'KUBE_CONFIG'
  | 'KUBE_API'
  | 'UPSTREAM'
  | 'LOOP_DETECTED'
  | 'LISTEN';

export class ClusterDnsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Where in a file something went wrong; line is 1-based, 0 when unknown. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
}

/** A Corefile error: the message reads `FILE:LINE: problem`. */
export class ConfigError extends ClusterDnsError {
  constructor(
    code: ErrorCode,
    readonly position: SourcePosition,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${position.file}:${position.line}: ${problem}`, options);
  }
}

/**
 * A cluster state file that could not be read or parsed: `FILE:LINE: reason`, or `FILE: reason`
 * when no line applies (line 0: a path that cannot be read).
 */
export class StateFileError extends ClusterDnsError {
  constructor(
    readonly position: SourcePosition,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    const where = position.line > 0 ? `${position.file}:${position.line}` : position.file;
    super('STATE_PARSE', `${where}: ${reason}`, options);
  }
}

/**
 * A Kubernetes object of a kind DNS reads whose fields are unusable: `KIND NS/NAME: reason`.
 * `field` is the path to the offending field inside the object (`['spec', 'ports', 0,
 * 'port']`), so a file source can name the line it came from; empty for the whole object.
 */
export class InvalidObjectError extends ClusterDnsError {
  constructor(
    readonly objectKind: string,
    readonly objectName: string,
    readonly field: readonly (string | number)[],
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('STATE_INVALID', `${objectKind} ${objectName || '(unnamed)'}: ${reason}`, options);
  }
}

/** A label selector that does not follow the Kubernetes selector syntax. */
export class LabelSelectorError extends ClusterDnsError {
  constructor(
    readonly selector: string,
    readonly offset: number,
    readonly problem: string,
  ) {
    super('CONFIG_BAD_VALUE', `label selector "${selector}" at ${offset + 1}: ${problem}`);
  }
}
