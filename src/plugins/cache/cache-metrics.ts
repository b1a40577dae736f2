/**
 * The cache plugin's Prometheus families with CoreDNS's names and labels (cache README,
 * "Metrics"). The per-query counters are the prometheus plugin's fast families: a cell per
 * label tuple taken once per cache, so a hit only adds to plain numbers.
 */
import { gauge, type Registry } from '../../metrics/registry.js';
import { FastCounter, register } from '../prometheus/fast-metrics.js';
import type { EntryKind } from './cache-entry.js';

interface Cell {
  inc(): void;
}

export interface CacheCounters {
  readonly hits: Record<EntryKind, Cell>;
  readonly evictions: Record<EntryKind, Cell>;
  readonly requests: Cell;
  readonly misses: Cell;
  readonly prefetch: Cell;
  readonly drops: Cell;
  readonly servedStale: Cell;
  setEntries(kind: EntryKind, size: number): void;
}

const TYPED = ['server', 'type', 'zones', 'view'];
const PLAIN = ['server', 'zones', 'view'];

/** Families are per process; cells are per (server, zones) of one cache. */
export function cacheCounters(registry: Registry, server: string, zones: string): CacheCounters {
  const entries = gauge(registry, {
    name: 'coredns_cache_entries',
    help: 'The number of elements in the cache.',
    labelNames: TYPED,
  });
  const typed = (name: string, help: string): Record<EntryKind, Cell> => {
    const family = register(registry, new FastCounter(name, help, TYPED));
    return {
      success: family.cell(server, 'success', zones, ''),
      denial: family.cell(server, 'denial', zones, ''),
    };
  };
  const plain = (name: string, help: string): Cell =>
    register(registry, new FastCounter(name, help, PLAIN)).cell(server, zones, '');
  return {
    hits: typed('coredns_cache_hits_total', 'The count of cache hits.'),
    evictions: typed('coredns_cache_evictions_total', 'The count of cache evictions.'),
    requests: plain('coredns_cache_requests_total', 'The count of cache requests.'),
    misses: plain(
      'coredns_cache_misses_total',
      'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.',
    ),
    prefetch: plain(
      'coredns_cache_prefetch_total',
      'The number of times the cache has prefetched a cached item.',
    ),
    drops: plain(
      'coredns_cache_drops_total',
      'The number responses that are not cached, because the reply is malformed.',
    ),
    servedStale: plain(
      'coredns_cache_served_stale_total',
      'The number of requests served from stale cache entries.',
    ),
    setEntries: (type, size) => entries.set({ server, type, zones, view: '' }, size),
  };
}
