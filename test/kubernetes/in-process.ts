/**
 * Runs the kubernetes plugin in-process on a state file: the real StateFileSource, record
 * index, handler and message writer, queried with packets built by dns-packet and answers
 * decoded by dns-packet. Records are rendered the way dig prints them, so one table of
 * expected answers serves both these tests and the tests against the `clusterdns` process.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import pino from 'pino';
import type { Handler } from '../../src/chain/handler.js';
import { DnsRequest, type Transport } from '../../src/chain/request.js';
import type { Directive } from '../../src/config/directive.js';
import { StateFileSource } from '../../src/cluster/state-file-source.js';
import { sourceOptions } from '../../src/plugins/kubernetes/backend.js';
import {
  parseKubernetesConfig,
  type KubernetesConfig,
} from '../../src/plugins/kubernetes/config.js';
import { KubernetesHandler } from '../../src/plugins/kubernetes/handler.js';
import { RecordIndex } from '../../src/records/record-index.js';
import { encodeError } from '../../src/wire/message-writer.js';
import { parseQuery } from '../../src/wire/query.js';
import { Rcode } from '../../src/wire/constants.js';

/**
 * Fixtures live in the source tree: found from dist/test/kubernetes, or from the working
 * directory when the tests were compiled elsewhere.
 */
export const FIXTURES =
  [
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/kubernetes/fixtures'),
    path.resolve('test/kubernetes/fixtures'),
  ].find((dir) => existsSync(dir)) ?? 'test/kubernetes/fixtures';

/** The plugin's next handler in these tests: answers NOTIMP so that fallthrough is visible. */
export const NEXT: Handler = {
  name: 'next',
  serve(request) {
    request.answeredBy = 'next';
    return encodeError(request.wire, request.query.questionEnd, Rcode.NOTIMP, request.query.edns);
  },
};

/** Builds a `kubernetes ZONES { OPTIONS }` directive from Corefile-like option lines. */
export function directive(zones: readonly string[], options: readonly string[]): Directive {
  return {
    name: 'kubernetes',
    args: zones,
    block: options.map((text, index) => {
      const [name, ...args] = text.split(/\s+/);
      return { name, args, block: [], file: 'Corefile', line: index + 2 };
    }),
    file: 'Corefile',
    line: 1,
  };
}

export interface AskOptions {
  readonly id?: number;
  readonly transport?: Transport;
  /** EDNS UDP size; undefined sends no OPT record. */
  readonly udpSize?: number;
  readonly dnssecOk?: boolean;
  readonly recursionDesired?: boolean;
  readonly checkingDisabled?: boolean;
  readonly clientAddress?: string;
}

export interface Rendered {
  readonly rcode: string;
  readonly flags: string[];
  readonly answer: string[];
  readonly authority: string[];
  readonly additional: string[];
}

export class InProcessKubernetes {
  private constructor(
    readonly config: KubernetesConfig,
    readonly index: RecordIndex,
    readonly source: StateFileSource,
    readonly handler: KubernetesHandler,
  ) {}

  /** Loads `fixture` (a file name in fixtures/) and waits until the source has synced. */
  static async start(
    fixture: string,
    options: readonly string[] = [],
    extra: { cache?: boolean; zones?: readonly string[]; localAddresses?: readonly string[] } = {},
  ): Promise<InProcessKubernetes> {
    const zones = extra.zones ?? ['cluster.local', 'in-addr.arpa', 'ip6.arpa'];
    const config = parseKubernetesConfig(directive(zones, options), {
      zones: [''],
      port: 53,
      server: 'dns://:53',
    });
    const sourceOpts = sourceOptions(config);
    const index = new RecordIndex({ kinds: sourceOpts.kinds });
    const logger = pino({ level: 'silent' });
    const source = new StateFileSource(path.join(FIXTURES, fixture), sourceOpts, index, logger);
    source.start();
    const handler = new KubernetesHandler(config, index, NEXT, {
      synced: () => source.synced(),
      startupDeadline: 0,
      localAddresses: extra.localAddresses ?? ['127.0.0.1'],
      cache: extra.cache,
    });
    const started = Date.now();
    while (!source.synced()) {
      if (Date.now() - started > 5000) throw new Error('state file source did not sync');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return new InProcessKubernetes(config, index, source, handler);
  }

  /** The SOA serial the index gives now. */
  get serial(): number {
    return Math.floor(this.index.lastChange / 1000);
  }

  /** Sends one query through the handler and returns the raw reply. */
  async raw(
    name: string,
    type: string,
    options: AskOptions = {},
  ): Promise<{ reply: Buffer; request: DnsRequest }> {
    const wire = queryPacket(name, type, options);
    const parsed = parseQuery(wire);
    if (!parsed.ok) throw new Error(`bad test query: ${parsed.error.reason}`);
    const request = new DnsRequest(
      parsed.query,
      wire,
      options.transport ?? 'udp',
      options.clientAddress ?? '127.0.0.1',
      40000,
      0n,
    );
    const reply = await this.handler.serve(request);
    if (reply === null) throw new Error('no reply');
    return { reply, request };
  }

  /** Sends one query and renders the reply as dig would print it. */
  async ask(name: string, type: string, options: AskOptions = {}): Promise<Rendered> {
    const { reply } = await this.raw(name, type, options);
    return render(reply);
  }

  close(): Promise<void> {
    return this.source.close();
  }
}

/** A query packet as a stub resolver would send it. */
export function queryPacket(name: string, type: string, options: AskOptions = {}): Buffer {
  let flags = options.recursionDesired === false ? 0 : dnsPacket.RECURSION_DESIRED;
  if (options.checkingDisabled) flags |= dnsPacket.CHECKING_DISABLED;
  const additionals: dnsPacket.Answer[] =
    options.udpSize === undefined
      ? []
      : [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: options.udpSize,
            flags: options.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
            options: [],
          } as unknown as dnsPacket.Answer,
        ];
  return dnsPacket.encode({
    type: 'query',
    id: options.id ?? 4242,
    flags,
    questions: [{ type: type as dnsPacket.RecordType, name, class: 'IN' }],
    additionals,
  });
}

/** Decodes a reply and renders it like dig's sections (`name. ttl IN TYPE rdata`). */
export function render(reply: Buffer): Rendered {
  const message = dnsPacket.decode(reply);
  const flagBits = reply.readUInt16BE(2);
  const flags: string[] = [];
  const names: [number, string][] = [
    [0x8000, 'qr'],
    [0x0400, 'aa'],
    [0x0200, 'tc'],
    [0x0100, 'rd'],
    [0x0080, 'ra'],
    [0x0020, 'ad'],
    [0x0010, 'cd'],
  ];
  for (const [bit, flag] of names) if (flagBits & bit) flags.push(flag);
  return {
    rcode: (message as { rcode?: string }).rcode ?? '',
    flags,
    answer: (message.answers ?? []).map(renderRecord),
    authority: (message.authorities ?? []).map(renderRecord),
    additional: (message.additionals ?? []).filter((rr) => rr.type !== 'OPT').map(renderRecord),
  };
}

function renderRecord(rr: dnsPacket.Answer): string {
  const record = rr as unknown as { name: string; type: string; ttl: number; data: unknown };
  const data = renderData(record.type, record.data);
  return `${absolute(record.name)} ${record.ttl} IN ${record.type} ${data}`;
}

function renderData(type: string, data: unknown): string {
  switch (type) {
    case 'A':
    case 'AAAA':
      return String(data);
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return absolute(String(data));
    case 'SRV': {
      const srv = data as { priority: number; weight: number; port: number; target: string };
      return `${srv.priority} ${srv.weight} ${srv.port} ${absolute(srv.target)}`;
    }
    case 'SOA': {
      const soa = data as Record<string, number | string>;
      const names = `${absolute(String(soa.mname))} ${absolute(String(soa.rname))}`;
      return `${names} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
    }
    case 'TXT':
      return (data as Buffer[]).map((b) => JSON.stringify(b.toString())).join(' ');
  }
  return JSON.stringify(data);
}

function absolute(name: string): string {
  return name === '' || name === '.' ? '.' : `${name}.`;
}
