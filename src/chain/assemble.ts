/**
 * Turns parsed server blocks into the routes of each DNS listener: for every block, a chain of
 * plugins built tail-first in the order declared by `plugin-order.ts`.
 *
 * Which address a block listens on: its `bind` hosts (or every interface) and its key's port;
 * `serve --listen` replaces both for blocks without `bind`, and the port for blocks with it.
 */
import type { Logger } from 'pino';
import type { ServerBlock } from '../config/directive.js';
import type { Registry } from '../metrics/registry.js';
import { markPluginsEnabled } from '../plugins/prometheus/plugins-enabled.js';
import { InternalResolver } from '../server/internal-resolver.js';
import { formatListenAddress, type ListenAddress } from '../server/listen-address.js';
import { chainEnd } from './assemble-terminal.js';
import type { Closable, Handler, Readiness } from './handler.js';
import type {
  BlockInfo,
  DroppedQueryHook,
  Lifecycle,
  PluginContext,
  RehearsalSource,
  SharedResources,
} from './plugin.js';
import { pluginRank, SETUP_ONLY_DIRECTIVES } from './plugin-order.js';
import type { AnySetup, PluginRegistry } from './plugin-registry.js';
import { portGroups, validateBlocks } from './validate-blocks.js';

/** One zone of a listener and the chain that answers it. */
export interface Route {
  readonly zone: string;
  readonly handler: Handler;
}

/** A listener to open (or keep) and the zones it routes. */
export interface ListenerPlan {
  /** `formatListenAddress(address)`: equal keys are the same listener across reloads. */
  readonly key: string;
  readonly address: ListenAddress;
  readonly routes: Route[];
  /** Internal resolvers of chains on this listener: the server binds them to its router. */
  readonly resolvers: InternalResolver[];
  /** Called for queries of this listener that reach no chain; null when nobody asked. */
  dropped: DroppedQueryHook | null;
  /** Questions of the chains on this listener for the start-up rehearsal. */
  readonly rehearsals: RehearsalSource[];
}

export interface AssembleOptions {
  readonly registry: PluginRegistry;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly shared: SharedResources;
  readonly lifecycle: Lifecycle;
  /** Collects what the new chains register; the caller releases it if assembly throws. */
  readonly addReadiness: (source: Readiness) => void;
  readonly addClosable: (resource: Closable) => void;
  /** `serve --listen`: null keeps the addresses of the blocks. */
  readonly listen: readonly ListenAddress[] | null;
}

/**
 * Builds every chain; throws ConfigError (file:line) for the first bad directive or key. The
 * Corefile-wide checks (`validateBlocks`, shared with `check`) run before any plugin is built.
 */
export function assemble(blocks: readonly ServerBlock[], options: AssembleOptions): ListenerPlan[] {
  validateBlocks(blocks, options.listen, options.registry);
  const plans = new Map<string, ListenerPlan>();
  for (const block of blocks) {
    for (const group of portGroups(block, options.listen)) {
      const chain = buildChain(block, group.info, options);
      group.addresses.forEach((address, i) => {
        const plan = addRoutes(plans, address, group.info.zones, chain.handler);
        // One router answers the chain's internal queries: its first listener's.
        if (i === 0) plan.resolvers.push(chain.resolver);
        plan.dropped ??= chain.dropped;
        plan.rehearsals.push(...chain.rehearsals);
      });
    }
  }
  return [...plans.values()];
}

/** A block's chain and what the server wires to it once the listeners' routers exist. */
interface BuiltChain {
  readonly handler: Handler;
  readonly resolver: InternalResolver;
  readonly dropped: DroppedQueryHook | null;
  readonly rehearsals: readonly RehearsalSource[];
}

/** Parses every directive, then builds the chain from its tail so each link knows its next. */
function buildChain(block: ServerBlock, info: BlockInfo, options: AssembleOptions): BuiltChain {
  const links = combineRepeats(
    block.directives
      .filter((d) => !SETUP_ONLY_DIRECTIVES.has(d.name))
      .map((directive) => {
        const setup = options.registry.require(directive);
        return { setup, config: setup.parse(directive, info) as unknown };
      }),
  ).sort((a, b) => pluginRank(a.setup.name) - pluginRank(b.setup.name));
  const resolver = new InternalResolver();
  let dropped: DroppedQueryHook | null = null;
  const rehearsals: RehearsalSource[] = [];
  const context: PluginContext = {
    logger: options.logger,
    metrics: options.metrics,
    block: info,
    shared: options.shared,
    lifecycle: options.lifecycle,
    addReadiness: options.addReadiness,
    addClosable: options.addClosable,
    resolve: (name, type, origin) => resolver.resolve(name, type, origin),
    onDropped: (hook) => {
      dropped ??= hook;
    },
    addRehearsal: (source) => rehearsals.push(source),
  };
  let next = chainEnd;
  const handlers: string[] = [];
  for (let i = links.length - 1; i >= 0; i--) {
    const { setup, config } = links[i];
    const created = setup.create(config, next, context);
    // Process services (health, ready, reload) return `next`: they are no link of the chain.
    if (created !== next) handlers.unshift(setup.name);
    next = created;
  }
  // As CoreDNS: a block that exports metrics lists the plugins of its chain as enabled.
  if (handlers.includes('prometheus')) markPluginsEnabled(options.metrics, info, handlers);
  return { handler: next, resolver, dropped, rehearsals };
}

interface Link {
  readonly setup: AnySetup;
  readonly config: unknown;
}

/** One link per plugin that can `combine` its repeats, at its first use; others unchanged. */
function combineRepeats(links: readonly Link[]): Link[] {
  const uses = new Map<AnySetup, unknown[]>();
  const out: Link[] = [];
  for (const link of links) {
    if (!link.setup.combine) {
      out.push(link);
      continue;
    }
    const configs = uses.get(link.setup);
    if (configs) {
      configs.push(link.config);
      continue;
    }
    uses.set(link.setup, [link.config]);
    out.push(link);
  }
  return out.map((link) => {
    const configs = uses.get(link.setup);
    if (!configs || configs.length === 1 || !link.setup.combine) return link;
    return { setup: link.setup, config: link.setup.combine(configs) };
  });
}

function addRoutes(
  plans: Map<string, ListenerPlan>,
  address: ListenAddress,
  zones: readonly string[],
  handler: Handler,
): ListenerPlan {
  const key = formatListenAddress(address);
  const plan = plans.get(key) ?? {
    key,
    address,
    routes: [],
    resolvers: [],
    dropped: null,
    rehearsals: [],
  };
  plans.set(key, plan);
  // validateBlocks has refused a zone served twice on one address.
  for (const zone of zones) plan.routes.push({ zone, handler });
  return plan;
}
