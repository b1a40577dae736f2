/**
 * Maps Corefile directive names to the plugin setups that parse and build them.
 *
 * Adding a plugin is one import and one entry in `BUILT_IN_SETUPS`; where it acts in the chain
 * is decided by `plugin-order.ts`, not here.
 */
import type { Directive } from '../config/directive.js';
import { ConfigError } from '../errors.js';
import { setup as acl } from '../plugins/acl/setup.js';
import { setup as autopath } from '../plugins/autopath/setup.js';
import { setup as cache } from '../plugins/cache/setup.js';
import { setup as chaos } from '../plugins/chaos/setup.js';
import { setup as errors } from '../plugins/errors/setup.js';
import { setup as forward } from '../plugins/forward/setup.js';
import { setup as health } from '../plugins/health/setup.js';
import { setup as hosts } from '../plugins/hosts/setup.js';
import { setup as kubernetes } from '../plugins/kubernetes/setup.js';
import { setup as loadbalance } from '../plugins/loadbalance/setup.js';
import { setup as log } from '../plugins/log/setup.js';
import { setup as loop } from '../plugins/loop/setup.js';
import { setup as prometheus } from '../plugins/prometheus/setup.js';
import { setup as ready } from '../plugins/ready/setup.js';
import { setup as reload } from '../plugins/reload/setup.js';
import type { PluginSetup } from './plugin.js';
import { pluginRank, SETUP_ONLY_DIRECTIVES } from './plugin-order.js';

/** A setup of any config type; each plugin keeps its own. */
export type AnySetup = PluginSetup<any>;

/** The plugins this build of clusterdns knows, in no particular order. */
const BUILT_IN_SETUPS: readonly AnySetup[] = [
  acl,
  autopath,
  cache,
  chaos,
  errors,
  forward,
  health,
  hosts,
  kubernetes,
  loadbalance,
  log,
  loop,
  prometheus,
  ready,
  reload,
];

export class PluginRegistry {
  private readonly setups = new Map<string, AnySetup>();

  /** Throws when a setup has no place in the declared chain order: a build mistake. */
  constructor(setups: readonly AnySetup[]) {
    for (const setup of setups) {
      if (pluginRank(setup.name) < 0) {
        throw new Error(`plugin ${setup.name} has no place in plugin-order.ts`);
      }
      this.setups.set(setup.name, setup);
    }
  }

  has(name: string): boolean {
    return this.setups.has(name) || SETUP_ONLY_DIRECTIVES.has(name);
  }

  /** The names of every registered plugin, in chain order. */
  names(): string[] {
    return [...this.setups.keys()].sort((a, b) => pluginRank(a) - pluginRank(b));
  }

  /** The setup for a directive; a ConfigError naming file and line when there is none. */
  require(directive: Directive): AnySetup {
    const setup = this.setups.get(directive.name);
    if (setup) return setup;
    throw new ConfigError(
      'CONFIG_UNKNOWN_PLUGIN',
      directive,
      `unknown plugin "${directive.name}"` +
        (pluginRank(directive.name) >= 0 ? ' (not supported by clusterdns yet)' : ''),
    );
  }
}

/** The registry of every plugin built into clusterdns. */
export const builtInPlugins = new PluginRegistry(BUILT_IN_SETUPS);
