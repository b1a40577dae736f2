/**
 * An IPv4 or IPv6 network (`10.0.0.0/8`, `2001:db8::/32`, or a bare address meaning one host)
 * and the test whether a client address lies in it.
 */
import net from 'node:net';
import { v4, v6 } from '@leichtgewicht/ip-codec';

export class Network {
  private constructor(
    /** The network address, 4 or 16 octets, host bits cleared. */
    private readonly bytes: Uint8Array,
    readonly prefix: number,
    /** The text as written in the Corefile, for messages. */
    readonly text: string,
  ) {}

  /** Parses `ADDRESS[/PREFIX]`; returns a reason string when the text is not a network. */
  static parse(text: string): Network | string {
    const slash = text.indexOf('/');
    const address = slash < 0 ? text : text.slice(0, slash);
    const family = net.isIP(address);
    if (family === 0) return `"${text}" is not an IP address or CIDR network`;
    const bytes = family === 4 ? v4.encode(address) : v6.encode(address);
    const bits = bytes.length * 8;
    const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      return `"${text}" has a prefix length outside 0..${bits}`;
    }
    const prefix = Number(prefixText);
    return new Network(maskBytes(bytes, prefix), prefix, text);
  }

  /**
   * True when `address` (as Node reports a peer: dotted IPv4, IPv6, or IPv4-mapped IPv6 on a
   * dual-stack socket) lies in this network. IPv4-mapped addresses match IPv4 networks, as the
   * client really is an IPv4 client.
   */
  contains(address: string): boolean {
    const bytes = clientBytes(address);
    if (bytes === null || bytes.length !== this.bytes.length) return false;
    const masked = maskBytes(bytes, this.prefix);
    for (let i = 0; i < masked.length; i++) if (masked[i] !== this.bytes[i]) return false;
    return true;
  }
}

function clientBytes(address: string): Uint8Array | null {
  const mapped = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  const family = net.isIP(mapped);
  if (family === 4) return v4.encode(mapped);
  if (family === 6) return v6.encode(mapped);
  return null;
}

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] &= keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
  }
  return out;
}
