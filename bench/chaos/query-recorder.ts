/**
 * A load generator that records every query's outcome: it sends a fixed mix of names at a
 * steady rate over UDP and judges each reply against what must be true for that name, so a
 * chaos run can say for every query whether it was right, an error (SERVFAIL), wrong, or
 * never answered. Queries are tagged with the phase that was running when they were sent.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { buildQuery } from '../../test/conformance/query-builder.js';
import { viewReply } from '../../test/conformance/wire-client.js';

export type Outcome = 'ok' | 'servfail' | 'wrong' | 'unanswered';

/** A name the recorder asks for and how to judge its reply. */
export interface Probe {
  readonly name: string;
  readonly type: number;
  /** The one right answer: `RCODE` or `RCODE ADDRESS,...` (addresses sorted). */
  readonly expect: string;
}

export interface QueryRecord {
  readonly phase: string;
  readonly name: string;
  readonly expect: string;
  readonly sentAt: number;
  outcome: Outcome;
  latencyMs: number;
  got: string;
}

export class QueryRecorder {
  readonly records: QueryRecord[] = [];
  phase = 'start';
  private readonly pending = new Map<number, { record: QueryRecord; timer: NodeJS.Timeout }>();
  private readonly socket = dgram.createSocket('udp4');
  private ticker: NodeJS.Timeout | undefined;
  private nextId = 1;
  private turn = 0;

  constructor(
    private readonly port: number,
    private readonly probes: readonly Probe[],
    private readonly perSecond: number,
    /** A query unanswered this long counts as unanswered (longer than the upstream deadline). */
    private readonly timeoutMs: number,
  ) {
    this.socket.on('message', (reply) => this.onReply(reply));
    this.socket.on('error', () => undefined);
  }

  start(): void {
    const every = 1000 / this.perSecond;
    let due = Date.now();
    this.ticker = setInterval(() => {
      for (; due <= Date.now(); due += every) this.send();
    }, 5);
  }

  /** Stops sending and waits for the queries still in flight to be judged. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    while (this.pending.size > 0) await new Promise((r) => setTimeout(r, 20));
    this.socket.close();
  }

  private send(): void {
    const probe = this.probes[this.turn++ % this.probes.length];
    const id = this.nextId;
    this.nextId = (this.nextId % 0xffff) + 1;
    const record: QueryRecord = {
      phase: this.phase,
      name: probe.name,
      expect: probe.expect,
      sentAt: Date.now(),
      outcome: 'unanswered',
      latencyMs: this.timeoutMs,
      got: '',
    };
    const timer = setTimeout(() => this.pending.delete(id), this.timeoutMs);
    this.pending.set(id, { record, timer });
    this.records.push(record);
    this.socket.send(
      buildQuery({ id, name: probe.name, type: probe.type }),
      this.port,
      '127.0.0.1',
    );
  }

  private onReply(reply: Buffer): void {
    const entry = this.pending.get(reply.readUInt16BE(0));
    if (!entry) return;
    this.pending.delete(reply.readUInt16BE(0));
    clearTimeout(entry.timer);
    const { record } = entry;
    record.latencyMs = Date.now() - record.sentAt;
    record.got = summarize(reply);
    if (record.got === record.expect) record.outcome = 'ok';
    else if (record.got === 'SERVFAIL') record.outcome = 'servfail';
    else record.outcome = 'wrong';
  }
}

/** `RCODE` or `RCODE addr,addr` of a reply, in the form of `Probe.expect`. */
export function summarize(reply: Buffer): string {
  const rcode = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'][
    viewReply(reply).rcode
  ];
  const answers = dnsPacket.decode(reply).answers ?? [];
  const data = answers.map((a) => String((a as { data?: unknown }).data)).sort();
  return data.length > 0 ? `${rcode} ${data.join(',')}` : (rcode ?? 'RCODE?');
}
