/**
 * How a plugin is configured and built. Each plugin folder exports one `PluginSetup`: it parses
 * its own Corefile directive (throwing ConfigError with file and line), and builds a Handler
 * from the frozen config and the handler that follows it in the chain.
 */
import type { Logger } from 'pino';
import type { Directive } from '../config/directive.js';
import type { Registry } from '../metrics/registry.js';
import type { Closable, Handler, Readiness } from './handler.js';

/** What a plugin knows of the server block it sits in. */
export interface BlockInfo {
  /** The block's zones, lower case, no trailing dot; '' is the root zone. */
  readonly zones: readonly string[];
  readonly port: number;
  /** CoreDNS's `server` metric label, e.g. `dns://:53`. */
  readonly server: string;
}

/**
 * Process-wide things plugins share across server blocks and across reloads, keyed by a
 * string the plugin chooses (e.g. one Kubernetes watch for several blocks with the same
 * connection settings). `acquire` returns the existing value for the key or creates it.
 */
export interface SharedResources {
  acquire<T extends Closable>(key: string, create: () => T): T;
}

export interface PluginContext {
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly block: BlockInfo;
  readonly shared: SharedResources;
  /** Registers a readiness source for the `ready` plugin. */
  addReadiness(source: Readiness): void;
  /** Registers something to release when this chain is replaced by a reload or at exit. */
  addClosable(resource: Closable): void;
}

export interface PluginSetup<Config = unknown> {
  /** The directive name in a Corefile. */
  readonly name: string;
  /** Parses and validates the directive; throws ConfigError naming file, line and problem. */
  parse(directive: Directive, block: BlockInfo): Config;
  /**
   * Builds the plugin. Returns `next` itself when the plugin does not act on queries
   * (health, ready, prometheus, reload are process services that only register listeners).
   */
  create(config: Config, next: Handler, context: PluginContext): Handler;
}
