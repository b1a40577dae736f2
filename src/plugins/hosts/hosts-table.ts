/**
 * The contents of an /etc/hosts-format text: `ADDRESS NAME [ALIASES...]` per line, `#`
 * comments. Names are kept in lower case without the trailing dot; addresses in canonical
 * form, so that a reverse lookup finds `2001:db8::1` however the file wrote it.
 */
import net from 'node:net';
import { v6 } from '@leichtgewicht/ip-codec';

export class HostsTable {
  private readonly v4 = new Map<string, string[]>();
  private readonly v6 = new Map<string, string[]>();
  private readonly names = new Map<string, string[]>();

  /** Reads lines; malformed lines (bad address, no name) are skipped, as in CoreDNS. */
  static parse(text: string): HostsTable {
    const table = new HostsTable();
    for (const raw of text.split('\n')) table.addLine(raw);
    return table;
  }

  /** Both tables' entries, `first`'s addresses before `second`'s for a shared name. */
  static merge(first: HostsTable, second: HostsTable): HostsTable {
    const out = new HostsTable();
    for (const source of [first, second]) {
      for (const [name, addresses] of source.v4) for (const a of addresses) out.add(name, a, 4);
      for (const [name, addresses] of source.v6) for (const a of addresses) out.add(name, a, 6);
    }
    return out;
  }

  addLine(raw: string): void {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [address, ...names] = line.split(/\s+/);
    const family = net.isIP(address.replace(/%.*$/, ''));
    if (family === 0 || names.length === 0 || address.includes('%')) return;
    for (const name of names) this.add(normalizeName(name), address, family as 4 | 6);
  }

  ipv4(name: string): readonly string[] {
    return this.v4.get(name) ?? [];
  }

  ipv6(name: string): readonly string[] {
    return this.v6.get(name) ?? [];
  }

  /** The names that have `address`, in file order. */
  namesOf(address: string): readonly string[] {
    return this.names.get(canonical(address)) ?? [];
  }

  has(name: string): boolean {
    return this.v4.has(name) || this.v6.has(name);
  }

  private add(name: string, address: string, family: 4 | 6): void {
    const key = canonical(address);
    const byName = family === 4 ? this.v4 : this.v6;
    const list = byName.get(name) ?? [];
    if (!list.includes(key)) list.push(key);
    byName.set(name, list);
    const names = this.names.get(key) ?? [];
    if (!names.includes(name)) names.push(name);
    this.names.set(key, names);
  }
}

function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Canonical text of an address: IPv6 compressed and lower case, IPv4 as is. */
export function canonical(address: string): string {
  return net.isIPv6(address) ? v6.decode(v6.encode(address)) : address;
}

/**
 * The address a reverse name stands for (`4.3.2.1.in-addr.arpa` is 1.2.3.4; ip6.arpa takes
 * 32 nibbles, RFC 3596 §2.5), or null when the name is not a complete reverse name.
 */
export function addressFromReverse(name: string): string | null {
  if (name.endsWith('.in-addr.arpa')) {
    const labels = name.slice(0, -'.in-addr.arpa'.length).split('.');
    const octet = (l: string): boolean => /^\d{1,3}$/.test(l) && Number(l) < 256;
    if (labels.length !== 4 || !labels.every(octet)) return null;
    return labels.reverse().join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return null;
    const hex = nibbles.reverse().join('');
    return canonical(hex.match(/.{4}/g)?.join(':') ?? '');
  }
  return null;
}
