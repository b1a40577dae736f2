/**
 * The metric families the server core itself exports: malformed packets and recovered query
 * failures (CoreDNS's `coredns_panics_total`). Children are looked up once, not per packet.
 */
import type { Counter } from 'prom-client';
import { counter, type Registry } from '../metrics/registry.js';

/** Bounded label values for why a packet was not answered normally. */
export type MalformedReason = 'short' | 'response' | 'opcode' | 'edns_version' | 'formerr';

export class ServerMetrics {
  private readonly malformed: Record<MalformedReason, Counter.Internal>;
  readonly panics: Counter;

  constructor(registry: Registry) {
    const family = counter(registry, {
      name: 'clusterdns_malformed_queries_total',
      help: 'Packets that could not be parsed as a query, by reason (dropped or answered).',
      labelNames: ['reason'],
    });
    this.malformed = {
      short: family.labels('short'),
      response: family.labels('response'),
      opcode: family.labels('opcode'),
      edns_version: family.labels('edns_version'),
      formerr: family.labels('formerr'),
    };
    this.panics = counter(registry, {
      name: 'coredns_panics_total',
      help: 'A metrics that counts the number of panics.',
    });
  }

  countMalformed(reason: MalformedReason): void {
    this.malformed[reason].inc();
  }
}
