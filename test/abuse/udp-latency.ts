/**
 * Measures what UDP clients see while something else happens: a steady stream of queries at a
 * fixed rate, each with its own socket and deadline, and the latency of every answer.
 */
import { WEB_NAME } from '../conformance/cluster-fixture.js';
import { buildQuery } from '../conformance/query-builder.js';
import { udpExchange, viewReply } from '../conformance/wire-client.js';

export interface LatencyReport {
  readonly sent: number;
  readonly answered: number;
  /** Answers with a wrong ID or rcode. */
  readonly wrong: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Sends `count` queries for the fixture Service, `intervalMs` apart, each waiting up to 1 s. */
export async function measureUdp(
  port: number,
  count: number,
  intervalMs: number,
): Promise<LatencyReport> {
  const runs: Promise<number | null | 'wrong'>[] = [];
  for (let i = 0; i < count; i++) {
    runs.push(timedQuery(port, i));
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const results = await Promise.all(runs);
  const times = results.filter((r): r is number => typeof r === 'number').sort((a, b) => a - b);
  const at = (q: number): number =>
    times.length ? times[Math.min(times.length - 1, Math.floor(q * times.length))] : NaN;
  return {
    sent: count,
    answered: times.length,
    wrong: results.filter((r) => r === 'wrong').length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(times[times.length - 1] ?? NaN),
  };
}

async function timedQuery(port: number, i: number): Promise<number | null | 'wrong'> {
  const id = i & 0xffff;
  const started = process.hrtime.bigint();
  const reply = await udpExchange(port, buildQuery({ id, name: WEB_NAME }), 1000);
  if (reply === null) return null;
  const view = viewReply(reply);
  if (view.id !== id || view.rcode !== 0 || view.ancount !== 1) return 'wrong';
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
