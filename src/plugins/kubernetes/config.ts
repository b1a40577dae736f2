/**
 * The kubernetes plugin's configuration: the `kubernetes [ZONES...] { ... }` directive parsed,
 * validated and frozen. Options and defaults follow CoreDNS's kubernetes plugin; `state PATH`
 * is ours (cluster state from files instead of the API).
 */
import path from 'node:path';
import type { BlockInfo } from '../../chain/plugin.js';
import { parseLabelSelector } from '../../cluster/label-selector.js';
import type { Directive } from '../../config/directive.js';
import { durationValue, expectArgs, integerValue } from '../../config/option-values.js';
import { ConfigError } from '../../errors.js';
import { isReverseZone, normalizeZone } from './zone-names.js';

export type PodsMode = 'disabled' | 'insecure' | 'verified';

export interface KubernetesConfig {
  /** Every zone the plugin answers, normalized; at least one is a forward zone. */
  readonly zones: readonly string[];
  /** The first forward zone: the zone of PTR targets. */
  readonly primaryZone: string;
  readonly pods: PodsMode;
  /** Zones where NXDOMAIN passes to the next plugin; [] means all; null means off. */
  readonly fallthrough: readonly string[] | null;
  readonly ttl: number;
  /** Namespaces exposed; empty means all. */
  readonly namespaces: readonly string[];
  readonly labels: string;
  readonly namespaceLabels: string;
  readonly endpointPodNames: boolean;
  readonly kubeconfig: string;
  readonly context: string;
  readonly endpoint: string;
  /** Absolute path of a state file or directory; '' to use the Kubernetes API. */
  readonly state: string;
  readonly noEndpoints: boolean;
  readonly startupTimeoutMs: number;
  readonly ignoreEmptyService: boolean;
}

const DEFAULT_TTL = 5;
const MAX_TTL = 3600;
const DEFAULT_STARTUP_TIMEOUT_MS = 5000;

/** CoreDNS options clusterdns does not implement; named so the error says so. */
const UNSUPPORTED = new Set([
  'tls',
  'apiserver_qps',
  'apiserver_burst',
  'apiserver_max_inflight',
  'multicluster',
  'zonal',
  'resyncperiod',
  'upstream',
]);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Parses the directive; throws ConfigError naming the file, line and problem. */
export function parseKubernetesConfig(directive: Directive, block: BlockInfo): KubernetesConfig {
  const zones = parseZones(directive, directive.args.length > 0 ? directive.args : block.zones);
  const primaryZone = zones.find((zone) => !isReverseZone(zone));
  if (primaryZone === undefined) {
    throw bad(directive, 'kubernetes: non-reverse zone name must be used');
  }
  const config: Mutable<KubernetesConfig> = {
    zones,
    primaryZone,
    pods: 'disabled',
    fallthrough: null,
    ttl: DEFAULT_TTL,
    namespaces: [],
    labels: '',
    namespaceLabels: '',
    endpointPodNames: false,
    kubeconfig: '',
    context: '',
    endpoint: '',
    state: '',
    noEndpoints: false,
    startupTimeoutMs: DEFAULT_STARTUP_TIMEOUT_MS,
    ignoreEmptyService: false,
  };
  for (const option of directive.block) applyOption(config, option);
  if (config.namespaces.length > 0 && config.namespaceLabels !== '') {
    throw bad(directive, 'kubernetes: namespaces and namespace_labels cannot both be set');
  }
  return Object.freeze(config);
}

function applyOption(config: Mutable<KubernetesConfig>, option: Directive): void {
  const args = option.args;
  switch (option.name) {
    case 'pods':
      expectArgs(option, 1, 1);
      if (args[0] !== 'disabled' && args[0] !== 'insecure' && args[0] !== 'verified') {
        throw bad(option, `pods: "${args[0]}" is not disabled, insecure or verified`);
      }
      config.pods = args[0];
      return;
    case 'fallthrough':
      config.fallthrough = parseZones(option, args);
      return;
    case 'ttl':
      expectArgs(option, 1, 1);
      config.ttl = integerValue(option, 'ttl', args[0], 0, MAX_TTL);
      return;
    case 'namespaces':
      expectArgs(option, 1, Infinity);
      config.namespaces = args.map((ns) => ns.toLowerCase());
      return;
    case 'labels':
      config.labels = selector(option);
      return;
    case 'namespace_labels':
      config.namespaceLabels = selector(option);
      return;
    case 'endpoint_pod_names':
      expectArgs(option, 0, 0);
      config.endpointPodNames = true;
      return;
    case 'kubeconfig':
      expectArgs(option, 1, 2);
      config.kubeconfig = path.resolve(args[0]);
      config.context = args[1] ?? '';
      return;
    case 'endpoint':
      expectArgs(option, 1, 1);
      config.endpoint = args[0];
      return;
    case 'state':
      expectArgs(option, 1, 1);
      config.state = path.resolve(args[0]);
      return;
    case 'noendpoints':
      expectArgs(option, 0, 0);
      config.noEndpoints = true;
      return;
    case 'startup_timeout':
      expectArgs(option, 1, 1);
      config.startupTimeoutMs = durationValue(option, 'startup_timeout', args[0]);
      return;
    case 'ignore':
      expectArgs(option, 1, 1);
      if (args[0] !== 'empty_service') throw bad(option, `ignore: unknown value "${args[0]}"`);
      config.ignoreEmptyService = true;
      return;
  }
  const problem = UNSUPPORTED.has(option.name)
    ? `kubernetes: option "${option.name}" is not supported by clusterdns`
    : `kubernetes: unknown property "${option.name}"`;
  throw new ConfigError('CONFIG_UNKNOWN_OPTION', option, problem);
}

function parseZones(where: Directive, args: readonly string[]): string[] {
  const zones: string[] = [];
  for (const arg of args) {
    const zone = normalizeZone(arg);
    if (zone === null) throw bad(where, `${where.name}: "${arg}" is not a zone name`);
    if (!zones.includes(zone)) zones.push(zone);
  }
  return zones;
}

function selector(option: Directive): string {
  expectArgs(option, 1, Infinity);
  const text = option.args.join(' ');
  try {
    parseLabelSelector(text);
  } catch (err) {
    throw new ConfigError('CONFIG_BAD_VALUE', option, `${option.name}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return text;
}

function bad(where: Directive, problem: string): ConfigError {
  return new ConfigError('CONFIG_BAD_VALUE', where, problem);
}
