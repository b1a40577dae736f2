/**
 * The start-up rehearsal of the answer path. V8 first runs the answer path in its interpreter
 * and compiles it for speed only after many calls, so a fresh process answers its first
 * queries several times slower than a warm one; under the load a new replica takes at once
 * (kube-proxy sends it its share when it becomes ready) that queue costs milliseconds to each
 * query of its first second. Before it serves, the server therefore asks itself questions its
 * plugins answer from their own data (the kubernetes plugin's Services), through the listener's
 * own batch code and dispatcher, and throws the replies away. Requests are marked `rehearsal`:
 * metrics, query logs, the cache and forwarding let them pass without a trace, and nothing is
 * sent. docs/performance.md shows the first seconds with and without it.
 */
import { createRequire } from 'node:module';
import dnsPacket, { type Answer, type RecordType } from 'dns-packet';
import type { RehearsalQuestion } from '../chain/plugin.js';

/** Longest the rehearsal of one start may take, across all listeners. */
export const REHEARSAL_BUDGET_MS = 300;
/** Most queries one listener rehearses: past this, compiled code gains nothing more. */
export const REHEARSAL_MAX_QUERIES = 30_000;
/**
 * The client the rehearsal's queries appear to come from: loopback addresses and four ports
 * from this one, as a resolver with a few sockets (dnsperf, a node-local cache) sends. Nothing
 * is ever sent to them.
 */
export const REHEARSAL_CLIENT_PORT = 40_000;
/** The EDNS UDP size of the rehearsal's EDNS queries (the common resolver default). */
const EDNS_UDP_SIZE = 1232;

// dns-packet's type table knows every registered mnemonic; it ships without typings for it.
const dnsTypes = createRequire(import.meta.url)('dns-packet/types.js') as {
  toString(type: number): string;
};

/** What a listener needs to rehearse: queries, until `deadline` or `maxQueries`. */
export interface RehearsalPlan {
  readonly queries: readonly Buffer[];
  /** `process.hrtime.bigint()` after which no further batch starts. */
  readonly deadline: bigint;
  readonly maxQueries: number;
}

/**
 * The wire queries of a rehearsal: each question without EDNS and with an OPT record, as the
 * two kinds of client ask (glibc and musl without, most resolvers and dig with), so that both
 * shapes of the answer path are compiled.
 */
export function rehearsalQueries(questions: readonly RehearsalQuestion[]): Buffer[] {
  const queries: Buffer[] = [];
  questions.forEach((question, i) => {
    const type = dnsTypes.toString(question.type) as RecordType;
    const query = (id: number, additionals: Answer[]): Buffer =>
      dnsPacket.encode({
        type: 'query',
        id: id & 0xffff,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type, name: question.name, class: 'IN' }],
        additionals,
      });
    // dns-packet's typings have no OPT pseudo-record, which it encodes all the same.
    const opt = { type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, flags: 0 };
    queries.push(query(2 * i, []), query(2 * i + 1, [opt as unknown as Answer]));
  });
  return queries;
}
