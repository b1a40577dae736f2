/**
 * Records one query's metrics into CoreDNS's families. The cells of each label tuple are looked
 * up once and kept in arrays indexed by small integers, so the per-query cost is a few array
 * reads and additions rather than building and hashing label sets.
 */
import type { Reply } from '../../chain/handler.js';
import type { DnsRequest } from '../../chain/request.js';
import { MONITORED_TYPES, rcodeLabel, zoneLabel, type DnsFamilies } from './dns-families.js';
import type { CounterCell, HistogramCell } from './fast-metrics.js';

/** CoreDNS's `view` label; clusterdns has no views, so it is always empty. */
const VIEW = '';
const PROTOS = ['udp', 'tcp'] as const;
const TYPE_LABELS = [...MONITORED_TYPES.values(), 'other'];
const TYPE_INDEX = new Map([...MONITORED_TYPES.keys()].map((code, i) => [code, i]));
const OTHER_INDEX = TYPE_LABELS.length - 1;
/** Map key of the `dropped` pseudo-zone: a NUL byte never appears in a parsed zone name. */
const DROPPED_KEY = '\u0000dropped';

type CounterChild = CounterCell;
type HistogramChild = HistogramCell;

/** The children of one zone label, created on first use. */
class ZoneChildren {
  readonly requests: (CounterChild | undefined)[] = [];
  readonly duration: (HistogramChild | undefined)[] = [];
  readonly requestSize: HistogramChild[];
  readonly responseSize: HistogramChild[];
  readonly doRequests: CounterChild;
  /** rcode -> plugin -> child. */
  readonly responses = new Map<number, Map<string, CounterChild>>();

  constructor(
    readonly families: DnsFamilies,
    readonly server: string,
    readonly zone: string,
  ) {
    this.requestSize = PROTOS.map((p) => families.requestSize.cell(server, zone, VIEW, p));
    this.responseSize = PROTOS.map((p) => families.responseSize.cell(server, zone, VIEW, p));
    this.doRequests = families.doRequests.cell(server, zone, VIEW);
  }

  request(proto: number, family: 1 | 2, type: number): CounterChild {
    const index = (proto * 2 + family - 1) * TYPE_LABELS.length + type;
    let child = this.requests[index];
    if (!child) {
      const labels = [
        this.server,
        this.zone,
        VIEW,
        PROTOS[proto],
        String(family),
        TYPE_LABELS[type],
      ];
      child = this.families.requests.cell(...labels);
      this.requests[index] = child;
    }
    return child;
  }

  durationOf(type: number): HistogramChild {
    let child = this.duration[type];
    if (!child) {
      child = this.families.duration.cell(this.server, this.zone, VIEW, TYPE_LABELS[type]);
      this.duration[type] = child;
    }
    return child;
  }

  response(rcode: number, plugin: string): CounterChild {
    let byPlugin = this.responses.get(rcode);
    if (!byPlugin) {
      byPlugin = new Map();
      this.responses.set(rcode, byPlugin);
    }
    let child = byPlugin.get(plugin);
    if (!child) {
      child = this.families.responses.cell(this.server, this.zone, VIEW, rcodeLabel(rcode), plugin);
      byPlugin.set(plugin, child);
    }
    return child;
  }
}

export class QueryRecorder {
  private readonly zones = new Map<string, ZoneChildren>();

  constructor(
    private readonly families: DnsFamilies,
    private readonly server: string,
    private readonly now: () => bigint = process.hrtime.bigint,
  ) {}

  /**
   * Records a finished query. `reply` null means nothing was sent (a dropped query): only the
   * request side is counted. `failedRcode` stands in for a reply the server writes itself
   * after a throw (SERVFAIL).
   */
  record(request: DnsRequest, reply: Reply, failedRcode?: number): void {
    this.recordIn(this.children(request.zone), request, reply, failedRcode);
  }

  /**
   * Records a query that entered no chain (no block serves its name, so the server refused
   * it) under CoreDNS's zone label `dropped`, which can never be a real zone (no final dot).
   */
  recordDropped(request: DnsRequest, reply: Reply): void {
    this.recordIn(this.children(DROPPED_KEY, 'dropped'), request, reply);
  }

  private recordIn(
    zone: ZoneChildren,
    request: DnsRequest,
    reply: Reply,
    failedRcode?: number,
  ): void {
    const proto = request.transport === 'tcp' ? 1 : 0;
    const type = TYPE_INDEX.get(request.query.type) ?? OTHER_INDEX;
    const seconds = Number(this.now() - request.startedAt) / 1e9;

    if (request.query.edns?.dnssecOk) zone.doRequests.inc();
    zone.request(proto, request.family, type).inc();
    zone.durationOf(type).observe(seconds);
    zone.requestSize[proto].observe(request.wire.length);
    if (reply) {
      zone.responseSize[proto].observe(reply.length);
      zone.response(reply[3] & 0x0f, request.answeredBy).inc();
    } else if (failedRcode !== undefined) {
      zone.response(failedRcode, request.answeredBy).inc();
    }
  }

  private children(zone: string, label = zoneLabel(zone)): ZoneChildren {
    let children = this.zones.get(zone);
    if (!children) {
      children = new ZoneChildren(this.families, this.server, label);
      this.zones.set(zone, children);
    }
    return children;
  }
}
