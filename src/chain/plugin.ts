/**
 * How a plugin is configured and built. Each plugin folder exports one `PluginSetup`: it parses
 * its own Corefile directive (throwing ConfigError with file and line), and builds a Handler
 * from the frozen config and the handler that follows it in the chain.
 */
import type { Logger } from 'pino';
import type { Directive } from '../config/directive.js';
import type { Registry } from '../metrics/registry.js';
import type { Closable, Handler, Readiness, Reply } from './handler.js';
import type { DnsRequest } from './request.js';

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

/**
 * The process lifecycle as plugins see it: what `health`, `ready` and `reload` need. Scoped to
 * the configuration generation being built; `draining` and `notReady` read process state.
 */
export interface Lifecycle {
  /** True once shutdown began: readiness must fail, DNS still answers during lameduck. */
  readonly draining: boolean;
  /** The readiness sources of the running configuration (the `ready` plugin polls them). */
  readiness(): readonly Readiness[];
  /** How long DNS keeps answering after SIGTERM, in ms (health `lameduck`). */
  setLameduck(ms: number): void;
  /** Asks for the configuration to be read again and swapped in (reload plugin). */
  requestReload(reason: string): void;
  /** The files the configuration was read from (Corefile and its imports); empty for flags. */
  readonly configFiles: readonly string[];
  /** SHA-512 (hex) of those files' contents as loaded; '' for flags. */
  readonly configDigest: string;
  /** SHA-512 (hex) of those files as they are now; throws when one cannot be read. */
  readConfigDigest(): string;
  /** Work that must finish before this configuration serves (an HTTP listen); a rejection fails it. */
  addStartup(task: Promise<unknown>): void;
}

/**
 * Resolves `name` (query-name text) for `type` through the server's own zone routing, as if
 * `origin`'s client had asked: the block serving the name answers. Resolves to the reply's
 * wire, or null when nothing answered (not yet bound, nested too deep, a bad name, a failed
 * chain). Never rejects.
 */
export type InternalResolve = (name: string, type: number, origin: DnsRequest) => Promise<Reply>;

/**
 * Called with a query of the block's listener that reached no chain and the reply sent (null
 * when none was), e.g. a name no block serves (REFUSED) or an answered malformed packet.
 */
export type DroppedQueryHook = (request: DnsRequest, reply: Reply) => void;

/** A question the server may ask itself at start-up to rehearse the answer path. */
export interface RehearsalQuestion {
  readonly name: string;
  readonly type: number;
}

/**
 * Gives the questions of a rehearsal: names the plugin answers from its own data, in the
 * reply's own path, without asking anything outside the process.
 */
export type RehearsalSource = () => readonly RehearsalQuestion[];

export interface PluginContext {
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly block: BlockInfo;
  readonly shared: SharedResources;
  /** Registers a readiness source for the `ready` plugin. */
  addReadiness(source: Readiness): void;
  /** Registers something to release when this chain is replaced by a reload or at exit. */
  addClosable(resource: Closable): void;
  /**
   * Process lifecycle. Always set by the server; optional (an additive change) so that contexts
   * built in plugin unit tests need not provide one.
   */
  readonly lifecycle?: Lifecycle;
  /**
   * The server's internal resolver (see InternalResolve). Set by the server for every chain;
   * optional (additive) so that plugin unit tests need not provide one. Callable only while
   * answering queries: during `create` the routers do not exist yet (it resolves to null).
   */
  readonly resolve?: InternalResolve;
  /**
   * Registers a hook for the queries of this block's listeners that reach no chain. The first
   * hook registered for a listener is the one called (the prometheus plugin counts these
   * under CoreDNS's zone `dropped`). Optional, additive.
   */
  readonly onDropped?: (hook: DroppedQueryHook) => void;
  /**
   * Registers questions for the start-up rehearsal of this block's listeners (see
   * server/rehearsal.ts). Optional, additive.
   */
  readonly addRehearsal?: (source: RehearsalSource) => void;
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
  /**
   * Optional, additive: for a directive a block may repeat, merges the configs of its uses (in
   * Corefile order) into the config of one link, as CoreDNS merges them into one plugin.
   * Without it, each use of a repeatable directive is a link of its own.
   */
  combine?(configs: readonly Config[]): Config;
}
