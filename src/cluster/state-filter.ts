/**
 * Which raw objects a source exposes, from SourceOptions: the kinds asked for, the namespaces
 * listed, the Service label selector (an EndpointSlice follows its Service) and the Namespace
 * label selector (objects of other namespaces are hidden). Works on raw objects, before
 * stripping, because stripped objects keep no labels.
 */
import type { ObjectKind } from './model.js';
import type { SourceOptions } from './source.js';
import { parseLabelSelector, type LabelSelector } from './label-selector.js';
import {
  rawKind,
  rawLabels,
  rawName,
  rawNamespace,
  SERVICE_NAME_LABEL,
  type RawKind,
} from './object-meta.js';

/** The model kind a raw kind is stored as (v1 Endpoints become EndpointSlices). */
export function modelKind(kind: RawKind): ObjectKind {
  return kind === 'Endpoints' ? 'EndpointSlice' : kind;
}

/** The filter of one source; built once, applied to every full set of raw objects. */
export class StateFilter {
  private readonly kinds: ReadonlySet<ObjectKind>;
  private readonly namespaces: ReadonlySet<string>;
  private readonly services: LabelSelector;
  private readonly namespaceLabels: LabelSelector;

  /** Throws LabelSelectorError for a selector that does not parse. */
  constructor(options: SourceOptions) {
    this.kinds = new Set(options.kinds);
    this.namespaces = new Set(options.namespaces);
    this.services = parseLabelSelector(options.labelSelector);
    this.namespaceLabels = parseLabelSelector(options.namespaceLabelSelector);
  }

  /** The kinds to write to the store. */
  get storedKinds(): readonly ObjectKind[] {
    return [...this.kinds];
  }

  /**
   * Returns a predicate over the raw objects of one full state. Selectors are evaluated
   * against the whole set: an EndpointSlice is kept when its Service is, and any object when
   * its Namespace object matches the namespace selector.
   */
  prepare(raws: readonly unknown[]): (raw: unknown) => boolean {
    const visibleNamespaces = this.labelledNamespaces(raws);
    const inView = (namespace: string): boolean =>
      (this.namespaces.size === 0 || this.namespaces.has(namespace)) &&
      (visibleNamespaces === null || visibleNamespaces.has(namespace));
    const services = this.selectedServices(raws);
    return (raw) => {
      const kind = rawKind(raw);
      if (kind === null || !this.kinds.has(modelKind(kind))) return false;
      if (kind === 'Namespace') return inView(rawName(raw));
      const namespace = rawNamespace(raw);
      if (!inView(namespace)) return false;
      if (services === null || kind === 'Pod') return true;
      return services.has(`${namespace}/${serviceOf(kind, raw)}`);
    };
  }

  /** Names of the Namespaces whose labels match, or null when there is no such selector. */
  private labelledNamespaces(raws: readonly unknown[]): Set<string> | null {
    if (this.namespaceLabels.empty) return null;
    const names = new Set<string>();
    for (const raw of raws) {
      if (rawKind(raw) === 'Namespace' && this.namespaceLabels.matches(rawLabels(raw))) {
        names.add(rawName(raw));
      }
    }
    return names;
  }

  /** `namespace/name` of the Services whose labels match, or null when there is no selector. */
  private selectedServices(raws: readonly unknown[]): Set<string> | null {
    if (this.services.empty) return null;
    const keys = new Set<string>();
    for (const raw of raws) {
      if (rawKind(raw) === 'Service' && this.services.matches(rawLabels(raw))) {
        keys.add(`${rawNamespace(raw)}/${rawName(raw)}`);
      }
    }
    return keys;
  }
}

/** The Service a Service, EndpointSlice or Endpoints object belongs to. */
function serviceOf(kind: RawKind, raw: unknown): string {
  if (kind === 'EndpointSlice') return rawLabels(raw).get(SERVICE_NAME_LABEL) ?? '';
  return rawName(raw);
}
