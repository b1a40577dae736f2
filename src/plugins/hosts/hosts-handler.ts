/**
 * The hosts plugin's handler, with CoreDNS's answers (plugin/hosts/hosts.go):
 * - A/AAAA for a listed name: the addresses, AA set; a listed name without addresses of the
 *   asked family (or another type): NOERROR with no records;
 * - a name that is not listed: the next plugin with `fallthrough`, else SERVFAIL (there is no
 *   SOA to build an NXDOMAIN with);
 * - PTR for a listed address, in any reverse zone; an unknown address always goes on.
 * The file is re-read when its size or modification time changes, checked every `reload`.
 */
import fs from 'node:fs';
import type { Logger } from 'pino';
import type { Closable, Handler, Reply } from '../../chain/handler.js';
import type { DnsRequest } from '../../chain/request.js';
import { Rcode, RRType } from '../../wire/constants.js';
import { encodeAnswer, encodeError } from '../../wire/message-writer.js';
import type { ResourceRecord } from '../../wire/record.js';
import { inZone, matchZone } from '../forward/directive-args.js';
import type { HostsConfig } from './hosts-config.js';
import { addressFromReverse, HostsTable } from './hosts-table.js';

export class HostsHandler implements Handler, Closable {
  readonly name = 'hosts';
  private table: HostsTable;
  private readonly inline: HostsTable;
  private stamp = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: HostsConfig,
    private readonly next: Handler,
    private readonly logger: Logger,
  ) {
    this.inline = HostsTable.parse(config.inline.join('\n'));
    this.table = this.inline;
    this.reload();
    if (config.reloadMs > 0) {
      this.timer = setInterval(() => this.reload(), config.reloadMs);
      this.timer.unref();
    }
  }

  serve(request: DnsRequest): Reply | Promise<Reply> {
    const q = request.query;
    if (q.type === RRType.PTR) return this.ptr(request);
    if (matchZone(q.name, this.config.zones) === undefined) return this.next.serve(request);
    const addresses = this.addresses(q.name, q.type);
    if (addresses.length === 0 && !this.table.has(q.name)) {
      if (this.fallsThrough(q.name)) return this.next.serve(request);
      request.answeredBy = this.name;
      return encodeError(request.wire, q.questionEnd, Rcode.SERVFAIL, q.edns);
    }
    const type = q.type as 1 | 28;
    const ttl = this.config.ttl;
    const records = addresses.map((address): ResourceRecord => {
      return { name: q.name, type, ttl, address };
    });
    return this.write(request, records);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private addresses(name: string, type: number): readonly string[] {
    if (type === RRType.A) return this.table.ipv4(name);
    if (type === RRType.AAAA) return this.table.ipv6(name);
    return [];
  }

  private ptr(request: DnsRequest): Reply | Promise<Reply> {
    const q = request.query;
    const address = this.config.noReverse ? null : addressFromReverse(q.name);
    const names = address === null ? [] : this.table.namesOf(address);
    if (names.length === 0) return this.next.serve(request);
    const ttl = this.config.ttl;
    const records = names.map((target): ResourceRecord => {
      return { name: q.name, type: RRType.PTR, ttl, target };
    });
    return this.write(request, records);
  }

  private write(request: DnsRequest, answer: ResourceRecord[]): Buffer {
    request.answeredBy = this.name;
    const reply = {
      rcode: Rcode.NOERROR,
      authoritative: true,
      answer,
      authority: [],
      additional: [],
    };
    return encodeAnswer(request.query, request.wire, reply, request.maxSize, false).wire;
  }

  private fallsThrough(name: string): boolean {
    const zones = this.config.fallthrough;
    if (zones === null) return false;
    return zones.length === 0 || zones.some((zone) => inZone(name, zone));
  }

  /**
   * Re-reads the file when it changed. A missing or unreadable file leaves the inline entries
   * serving (CoreDNS does the same) and is logged once per change of state.
   */
  private reload(): void {
    let stamp: string;
    try {
      const stat = fs.statSync(this.config.file);
      stamp = `${stat.size}/${stat.mtimeMs}`;
    } catch (err) {
      stamp = 'missing';
      if (this.stamp !== stamp) {
        this.logger.warn({ file: this.config.file, err }, 'hosts file unreadable');
      }
    }
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    const text = stamp === 'missing' ? '' : this.readFile();
    this.table = HostsTable.merge(this.inline, HostsTable.parse(text));
    this.logger.debug({ file: this.config.file }, 'hosts file loaded');
  }

  private readFile(): string {
    try {
      return fs.readFileSync(this.config.file, 'utf8');
    } catch {
      return '';
    }
  }
}
