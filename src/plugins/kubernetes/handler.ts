/**
 * The kubernetes plugin's chain link: answers questions inside its zones from the record
 * index, passes everything else (and, with `fallthrough`, its NXDOMAINs) to the next plugin.
 */
import type { Handler, Reply } from '../../chain/handler.js';
import type { InternalResolve, RehearsalQuestion } from '../../chain/plugin.js';
import type { DnsRequest } from '../../chain/request.js';
import { reverseName } from '../../records/ip-names.js';
import type { PodRef } from '../../records/pod-index.js';
import type { RecordIndex } from '../../records/record-index.js';
import { Rcode, RRClass, RRType } from '../../wire/constants.js';
import { encodeAnswer, encodeError } from '../../wire/message-writer.js';
import type { Answer } from '../../wire/record.js';
import { AnswerCache, answerKey } from './answer-cache.js';
import type { KubernetesConfig } from './config.js';
import { chaseTarget, externalTarget } from './external-target.js';
import { KubernetesResolver } from './resolver.js';
import { matchZone, under } from './zone-names.js';

/** How often a query held during startup checks whether the source has synced. */
const SYNC_POLL_MS = 25;
/** Services whose names the start-up rehearsal asks for: enough for every answer form. */
const REHEARSAL_SERVICES = 1_000;

export interface KubernetesHandlerOptions {
  /** True once the cluster source has loaded everything at least once. */
  readonly synced: () => boolean;
  /** Queries arriving before this time (ms, `now()` clock) wait for the sync. */
  readonly startupDeadline: number;
  /** This host's addresses, for `ns.dns.<zone>`. */
  readonly localAddresses: readonly string[];
  /** Keep encoded answers for replay (the fast path); tests turn it off to compare. */
  readonly cache?: boolean;
  readonly now?: () => number;
  /**
   * The server's internal resolver: ExternalName targets outside our zones are answered
   * through it in the same reply (external-target.ts). Without it, the CNAME alone.
   */
  readonly resolve?: InternalResolve;
}

export class KubernetesHandler implements Handler {
  readonly name = 'kubernetes';
  readonly resolver: KubernetesResolver;
  private readonly cache: AnswerCache | null;
  private readonly now: () => number;
  private startup: Promise<void> | null = null;

  constructor(
    readonly config: KubernetesConfig,
    readonly index: RecordIndex,
    private readonly next: Handler,
    private readonly options: KubernetesHandlerOptions,
  ) {
    this.resolver = new KubernetesResolver(config, index, options.localAddresses);
    this.cache = options.cache === false ? null : new AnswerCache();
    this.now = options.now ?? Date.now;
  }

  serve(request: DnsRequest): Reply | Promise<Reply> {
    const query = request.query;
    if (query.class !== RRClass.IN && query.class !== RRClass.ANY) return this.otherClass(request);
    if (this.cache !== null) {
      this.cache.sync(this.index.generation);
      const hit = this.cache.reply(request, answerKey(query));
      if (hit !== null) {
        request.answeredBy = this.name;
        return hit;
      }
    }
    const zone = matchZone(query.name, this.config.zones);
    if (zone === undefined) return this.next.serve(request);
    if (!this.options.synced() && this.now() < this.options.startupDeadline) {
      return this.waitForSync().then(() => this.answer(request, zone));
    }
    return this.answer(request, zone);
  }

  /**
   * Questions for the start-up rehearsal (server/rehearsal.ts), all answered here from the
   * index: A or AAAA and PTR of ClusterIP Services, SRV of their named ports, and a missing
   * name in each of their namespaces. ExternalName and headless Services are left out: the
   * first would be chased through the upstream resolvers, and the second are answered by the
   * same code as the A records of ClusterIPs.
   */
  rehearsalQuestions(): RehearsalQuestion[] {
    const zone = this.config.primaryZone;
    const questions: RehearsalQuestion[] = [];
    const namespaces = new Set<string>();
    for (const { info } of this.index.sampleServices(REHEARSAL_SERVICES)) {
      if (info.kind !== 'ClusterIP' || info.clusterIPs.length === 0) continue;
      const service = under(`${info.name}.${info.namespace}.svc`, zone);
      const ip = info.clusterIPs[0];
      questions.push({ name: service, type: ip.includes(':') ? RRType.AAAA : RRType.A });
      const ptr = reverseName(ip);
      if (matchZone(ptr, this.config.zones) !== undefined) {
        questions.push({ name: ptr, type: RRType.PTR });
      }
      for (const port of info.ports) {
        if (port.name === '') continue;
        questions.push({ name: `_${port.name}._${port.protocol}.${service}`, type: RRType.SRV });
      }
      if (namespaces.has(info.namespace)) continue;
      namespaces.add(info.namespace);
      // A name no Service can have (a Service name is a DNS-1035 label: it cannot end in '-').
      const missing = under(`clusterdns-rehearsal-.${info.namespace}.svc`, zone);
      questions.push({ name: missing, type: RRType.A });
    }
    return questions;
  }

  /** Number of encoded answers kept for replay (0 with the cache off). */
  get cachedAnswers(): number {
    return this.cache?.size ?? 0;
  }

  /** The pod using an IP, for autopath (`pods verified` loads pods). */
  podByIp(ip: string): PodRef | undefined {
    return this.index.podByIp(ip);
  }

  /**
   * The search path of the pod at `clientAddress` as the kubelet writes it (the cluster part:
   * `<ns>.svc.<zone> svc.<zone> <zone>`), for autopath; null for unknown or host-network pods.
   */
  searchPath(clientAddress: string): string[] | null {
    const pod = this.index.podByIp(clientAddress);
    if (!pod || pod.hostNetwork) return null;
    const zone = this.config.primaryZone;
    return [under(`${pod.namespace}.svc`, zone), under('svc', zone), zone];
  }

  private answer(request: DnsRequest, zone: string): Reply | Promise<Reply> {
    const query = request.query;
    if (query.type === RRType.AXFR || query.type === RRType.IXFR) {
      // Zone transfers belong to a transfer plugin, which clusterdns does not have (CoreDNS
      // answers REFUSED here too).
      request.answeredBy = this.name;
      return encodeError(request.wire, query.questionEnd, Rcode.REFUSED, query.edns);
    }
    const answer = this.resolver.resolve(query.name, zone, query.type);
    const synced = this.options.synced();
    if (answer.rcode === Rcode.NXDOMAIN && answer.answer.length === 0) {
      if (this.fallsThrough(query.name)) return this.next.serve(request);
      if (!synced) {
        request.answeredBy = this.name;
        return encodeError(request.wire, query.questionEnd, Rcode.SERVFAIL, query.edns);
      }
    }
    request.answeredBy = this.name;
    const resolve = this.options.resolve;
    const target = resolve ? externalTarget(answer, query.type, this.config.zones) : null;
    if (resolve && target !== null) {
      // Holds upstream data with upstream TTLs: never kept in the answer cache.
      return chaseTarget(answer, target, request, resolve).then((full) => encode(request, full));
    }
    // RA clear, as in encode(); kept inline for the cache's truncation flag.
    const encoded = encodeAnswer(query, request.wire, answer, request.maxSize, false);
    if (this.cache !== null && synced) {
      const { wire, truncated } = encoded;
      this.cache.keep(answerKey(query), query, wire, truncated, answer.additional.length);
    }
    return encoded.wire;
  }

  /**
   * A class other than IN (or ANY, answered as IN) for a name in our zones is refused: the
   * cluster's data exists only in class IN, and passing the name on would send a cluster name
   * to the upstream resolvers. Names outside our zones go on down the chain.
   */
  private otherClass(request: DnsRequest): Reply | Promise<Reply> {
    const query = request.query;
    if (matchZone(query.name, this.config.zones) === undefined) return this.next.serve(request);
    request.answeredBy = this.name;
    return encodeError(request.wire, query.questionEnd, Rcode.REFUSED, query.edns);
  }

  private fallsThrough(name: string): boolean {
    const zones = this.config.fallthrough;
    if (zones === null) return false;
    return zones.length === 0 || matchZone(name, zones) !== undefined;
  }

  /** Resolves when the source has synced or the startup deadline passed, whichever first. */
  private waitForSync(): Promise<void> {
    this.startup ??= new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.options.synced() || this.now() >= this.options.startupDeadline) resolve();
        else setTimeout(check, SYNC_POLL_MS);
      };
      check();
    });
    return this.startup;
  }
}

/**
 * The reply for an answer, fitted to the client's size limit. RA stays clear, as in CoreDNS's
 * kubernetes answers: this plugin does not recurse (a chased target is resolved by the block
 * that serves it, not by us).
 */
function encode(request: DnsRequest, answer: Answer): Buffer {
  return encodeAnswer(request.query, request.wire, answer, request.maxSize, false).wire;
}
