/**
 * The cache plugin's handler. A hit is a Map lookup, a copy of the stored bytes and a few
 * integer writes (ID, RD/CD, question case, TTLs); no decoding. A miss goes down the chain and
 * the reply is classified and stored (see cache-entry.ts).
 *
 * Answers written by the `kubernetes` plugin (or built from them by `autopath`) are never
 * stored: that plugin answers from an index that is always current, so a Service change shows
 * on the very next query even with a cache in front (the stale-answer complaints of
 * coredns/coredns#2327 and kubernetes/kubernetes#92559 cannot happen).
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Handler, Reply } from '../../chain/handler.js';
import { DnsRequest } from '../../chain/request.js';
import { Flag, Rcode, RRType } from '../../wire/constants.js';
import type { Query } from '../../wire/query.js';
import { inZone, matchZone } from '../forward/directive-args.js';
import { fitReply } from '../forward/fit-reply.js';
import type { CacheConfig } from './cache-config.js';
import { classifyReply, type CacheEntry, type EntryKind } from './cache-entry.js';
import type { CacheCounters } from './cache-metrics.js';

export interface CacheDeps {
  readonly logger: Logger;
  readonly counters: CacheCounters;
  readonly now?: () => number;
}

/**
 * Plugins whose answers must never come from the cache: kubernetes answers from live cluster
 * state, and autopath's answers are built from kubernetes answers (the search-path walk).
 */
const NEVER_CACHED: ReadonlySet<string> = new Set(['kubernetes', 'autopath']);

export class CacheHandler implements Handler {
  readonly name = 'cache';
  private readonly success: LRUCache<string, CacheEntry>;
  private readonly denial: LRUCache<string, CacheEntry>;
  private readonly now: () => number;
  private readonly c: CacheCounters;

  constructor(
    private readonly config: CacheConfig,
    private readonly next: Handler,
    private readonly deps: CacheDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.c = deps.counters;
    this.success = this.makeStore('success', config.success.capacity);
    this.denial = this.makeStore('denial', config.denial.capacity);
  }

  serve(request: DnsRequest): Reply | Promise<Reply> {
    const q = request.query;
    if (q.type === RRType.AXFR || q.type === RRType.IXFR) return this.next.serve(request);
    // A rehearsal neither reads nor fills the cache, nor counts in its metrics.
    if (request.rehearsal) return this.next.serve(request);
    if (matchZone(q.name, this.config.zones) === undefined) return this.next.serve(request);
    this.c.requests.inc();
    const key = cacheKey(q);
    const now = this.now();

    const fresh = this.success.get(key);
    if (fresh !== undefined && now < fresh.expiresAt) return this.hit(request, key, fresh, now);
    const found = this.lookupSlow(key, fresh, now);
    if (found && !found.stale) return this.hit(request, key, found.entry, now);
    if (found && this.config.serveStale?.verify) return this.verifyStale(request, key, found.entry);
    if (found) return this.serveStale(request, key, found.entry, now);

    this.c.misses.inc();
    return this.fetch(request, key);
  }

  /** Number of stored entries of each kind, for tests and metrics. */
  size(kind: EntryKind): number {
    return kind === 'success' ? this.success.size : this.denial.size;
  }

  private hit(request: DnsRequest, key: string, entry: CacheEntry, now: number): Reply {
    this.c.hits[entry.kind].inc();
    request.answeredBy = 'cache';
    this.maybePrefetch(request, key, entry, now);
    return this.render(request, entry, now, false);
  }

  /**
   * The rest of the lookup once the success store had nothing fresh: a fresh denial, or a
   * stale entry within the serve_stale window. A cached SERVFAIL never hides a stale positive
   * answer when serve_stale is on (coredns/coredns#7956).
   */
  private lookupSlow(
    key: string,
    success: CacheEntry | undefined,
    now: number,
  ): { entry: CacheEntry; stale: boolean } | null {
    const staleSuccess = success !== undefined && this.staleUsable(success, now);
    const denial = this.denial.get(key);
    if (denial !== undefined && now < denial.expiresAt && !(denial.servfail && staleSuccess)) {
      return { entry: denial, stale: false };
    }
    if (staleSuccess) return { entry: success, stale: true };
    if (denial !== undefined && !denial.servfail && this.staleUsable(denial, now)) {
      return { entry: denial, stale: true };
    }
    this.dropExpired(key, success, denial, now);
    return null;
  }

  /** Expired entries past any stale window leave at once, so they hold no capacity. */
  private dropExpired(
    key: string,
    success: CacheEntry | undefined,
    denial: CacheEntry | undefined,
    now: number,
  ): void {
    if (success !== undefined && !this.staleUsable(success, now)) this.success.delete(key);
    if (denial !== undefined && now >= denial.expiresAt && !this.staleUsable(denial, now)) {
      this.denial.delete(key);
    }
    this.c.setEntries('success', this.success.size);
    this.c.setEntries('denial', this.denial.size);
  }

  private staleUsable(entry: CacheEntry, now: number): boolean {
    const stale = this.config.serveStale;
    return stale !== null && now < entry.expiresAt + stale.durationMs;
  }

  /** `serve_stale immediate`: answer with TTL 0 now, refresh in the background. */
  private serveStale(request: DnsRequest, key: string, entry: CacheEntry, now: number): Reply {
    this.c.servedStale.inc();
    request.answeredBy = 'cache';
    this.refresh(request, key, entry);
    return this.render(request, entry, now, true);
  }

  /** `serve_stale verify`: ask upstream first; the stale entry only when that fails. */
  private async verifyStale(request: DnsRequest, key: string, entry: CacheEntry): Promise<Reply> {
    const reply = await this.fetch(request, key);
    const rcode = reply && reply.length >= 4 ? reply[3] & 0xf : Rcode.SERVFAIL;
    if (rcode === Rcode.NOERROR || rcode === Rcode.NXDOMAIN) return reply;
    this.c.servedStale.inc();
    request.answeredBy = 'cache';
    return this.render(request, entry, this.now(), true);
  }

  /**
   * Asks the next plugin and stores what may be stored. A stored reply goes out with the
   * entry's capped TTLs, so the first and the cached answers agree (as CoreDNS does).
   */
  private async fetch(request: DnsRequest, key: string): Promise<Reply> {
    const reply = await this.next.serve(request);
    if (!reply) return reply;
    const now = this.now();
    const entry = this.store(request, key, reply, now);
    return entry ? this.render(request, entry, now, false) : reply;
  }

  private store(request: DnsRequest, key: string, reply: Buffer, now: number): CacheEntry | null {
    if (NEVER_CACHED.has(request.answeredBy)) return null;
    const q = request.query;
    const result = classifyReply(reply, request.wire, q.questionEnd, this.config, now);
    if (!result.store) {
      if (result.reason === 'mismatch' || result.reason === 'malformed') this.c.drops.inc();
      return null;
    }
    const { entry } = result;
    const { disableSuccess, disableDenial } = this.config;
    const disabled = entry.kind === 'success' ? disableSuccess : disableDenial;
    if (disabled.some((zone) => inZone(q.name, zone))) return null;
    if (entry.servfail && this.config.serveStale && this.success.has(key)) return null;
    if (entry.kind === 'success') {
      this.success.set(key, entry);
      this.denial.delete(key);
    } else {
      this.denial.set(key, entry);
      if (!entry.servfail) this.success.delete(key);
    }
    this.c.setEntries('success', this.success.size);
    this.c.setEntries('denial', this.denial.size);
    return entry;
  }

  private maybePrefetch(request: DnsRequest, key: string, entry: CacheEntry, now: number): void {
    const p = this.config.prefetch;
    if (p === null || entry.refreshing || entry.servfail) return;
    if (now - entry.lastHit >= p.windowMs) entry.hits = 0;
    entry.hits++;
    entry.lastHit = now;
    const left = entry.expiresAt - now;
    if (entry.hits < p.amount || left > Math.max(entry.ttl * 1000 * p.fraction, 1000)) return;
    this.c.prefetch.inc();
    this.refresh(request, key, entry);
  }

  /** One background fetch per entry at a time (coredns/coredns#4324). */
  private refresh(request: DnsRequest, key: string, entry: CacheEntry): void {
    if (entry.refreshing) return;
    entry.refreshing = true;
    const copy = new DnsRequest(
      request.query,
      Buffer.from(request.wire),
      request.transport,
      request.clientAddress,
      request.clientPort,
      process.hrtime.bigint(),
    );
    Promise.resolve()
      .then(() => this.fetch(copy, key))
      .catch((err: unknown) => {
        this.deps.logger.debug({ err, name: request.query.name }, 'cache refresh failed');
      })
      .finally(() => {
        entry.refreshing = false;
      });
  }

  private render(request: DnsRequest, entry: CacheEntry, now: number, stale: boolean): Buffer {
    const q = request.query;
    const out = Buffer.allocUnsafe(entry.wire.length);
    entry.wire.copy(out);
    out.writeUInt16BE(q.id, 0);
    // RD and CD as the asker set them; the rest of the header is the stored answer's.
    out[2] = (out[2] & 0xfe) | ((q.flags >> 8) & 0x01);
    out[3] = (out[3] & ~Flag.CD & 0xff) | (q.flags & Flag.CD);
    request.wire.copy(out, 12, 12, q.questionEnd);
    const offsets = entry.ttlOffsets;
    if (this.config.keepTtl && !stale) {
      for (let i = 0; i < offsets.length; i++) out.writeUInt32BE(entry.originalTtls[i], offsets[i]);
    } else {
      const ttl = stale ? 0 : Math.max(0, entry.ttl - Math.floor((now - entry.storedAt) / 1000));
      for (let i = 0; i < offsets.length; i++) out.writeUInt32BE(ttl, offsets[i]);
    }
    if (request.transport === 'udp' && out.length > request.maxSize) return fitReply(request, out);
    return out;
  }

  private makeStore(kind: EntryKind, capacity: number): LRUCache<string, CacheEntry> {
    return new LRUCache<string, CacheEntry>({
      max: capacity,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.c.evictions[kind].inc();
      },
    });
  }
}

/**
 * The key: name (already lower case), type, class, and the bits that change the answer's
 * shape: EDNS present (an OPT in the reply), DO (DNSSEC records) and CD.
 */
function cacheKey(q: Query): string {
  const edns = q.edns;
  const bits = (edns ? 1 : 0) | (edns?.dnssecOk ? 2 : 0) | ((q.flags & Flag.CD) !== 0 ? 4 : 0);
  return `${q.name}|${q.type}|${q.class}|${bits}`;
}
