/**
 * Structure-aware mutation of DNS queries: each strategy knows where the header counts, the
 * label lengths and the OPT record sit, so that mutated packets get past the first check and
 * reach the deeper parsing paths (names, compression pointers, EDNS). Random packets cover
 * the rest. All choices come from the injected `random`, so a run is replayed by its seed.
 */
import { optRecord } from '../../test/conformance/query-builder.js';

export type Random = () => number;

/** A mutation strategy's name, counted per run to show what the fuzzer exercised. */
export type Strategy =
  | 'bit-flip'
  | 'byte-set'
  | 'count'
  | 'label-length'
  | 'truncate'
  | 'extend'
  | 'opt'
  | 'pointer'
  | 'header-flags'
  | 'random';

const STRATEGIES: readonly Strategy[] = [
  'bit-flip',
  'byte-set',
  'count',
  'label-length',
  'truncate',
  'extend',
  'opt',
  'pointer',
  'header-flags',
  'random',
];

/** Values that sit on boundaries of the fields they land in. */
const EDGE_BYTES = [0, 1, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff];
const EDGE_WORDS = [0, 1, 2, 0x7fff, 0x8000, 0xffff];

export interface Mutation {
  readonly strategy: Strategy;
  readonly packet: Buffer;
}

const int = (random: Random, n: number): number => Math.floor(random() * n);
const pick = <T>(random: Random, list: readonly T[]): T => list[int(random, list.length)];

/** One mutated packet from one of the seeds; 1 to 3 strategies stacked. */
export function mutate(seeds: readonly Buffer[], random: Random): Mutation {
  const first = pick(random, STRATEGIES);
  if (first === 'random') return { strategy: first, packet: randomPacket(random) };
  let packet: Buffer = Buffer.from(pick(random, seeds));
  packet = apply(first, packet, random);
  for (let extra = int(random, 3); extra > 0; extra--) {
    const next = pick(random, STRATEGIES);
    if (next !== 'random') packet = apply(next, packet, random);
  }
  return { strategy: first, packet };
}

function apply(strategy: Strategy, packet: Buffer, random: Random): Buffer {
  switch (strategy) {
    case 'bit-flip':
      return bitFlip(packet, random);
    case 'byte-set':
      return byteSet(packet, random);
    case 'count':
      return setCount(packet, random);
    case 'label-length':
      return labelLength(packet, random);
    case 'truncate':
      return packet.subarray(0, int(random, packet.length));
    case 'extend':
      return Buffer.concat([packet, randomBytes(random, 1 + int(random, 64))]);
    case 'opt':
      return withOpt(packet, random);
    case 'pointer':
      return pointer(packet, random);
    case 'header-flags':
      return headerFlags(packet, random);
    case 'random':
      return randomPacket(random);
  }
}

function bitFlip(packet: Buffer, random: Random): Buffer {
  if (packet.length === 0) return packet;
  for (let n = 1 + int(random, 4); n > 0; n--)
    packet[int(random, packet.length)] ^= 1 << int(random, 8);
  return packet;
}

function byteSet(packet: Buffer, random: Random): Buffer {
  if (packet.length === 0) return packet;
  packet[int(random, packet.length)] = random() < 0.5 ? pick(random, EDGE_BYTES) : int(random, 256);
  return packet;
}

/** QDCOUNT, ANCOUNT, NSCOUNT or ARCOUNT set to an edge or random value. */
function setCount(packet: Buffer, random: Random): Buffer {
  if (packet.length < 12) return packet;
  const value = random() < 0.6 ? pick(random, EDGE_WORDS) : int(random, 65536);
  packet.writeUInt16BE(value, 4 + 2 * int(random, 4));
  return packet;
}

/** Finds the question's label-length octets and sets one to a boundary value. */
function labelLength(packet: Buffer, random: Random): Buffer {
  const offsets: number[] = [];
  for (let pos = 12; pos < packet.length && packet[pos] !== 0 && packet[pos] < 64;) {
    offsets.push(pos);
    pos += packet[pos] + 1;
  }
  if (offsets.length === 0) return packet;
  packet[pick(random, offsets)] = pick(random, [0, 1, 62, 63, 64, 65, 127, 128, 191, 255]);
  return packet;
}

/** Appends an OPT record with a random version, flags, size and options (some malformed). */
function withOpt(packet: Buffer, random: Random): Buffer {
  if (packet.length < 12) return packet;
  const options: [number, Buffer][] = [];
  for (let n = int(random, 4); n > 0; n--)
    options.push([int(random, 65536), randomBytes(random, int(random, 40))]);
  const opt = optRecord({
    version: random() < 0.5 ? 0 : int(random, 256),
    udpSize: pick(random, [0, 1, 511, 512, 1232, 4096, 65535]),
    flags: int(random, 65536),
    options,
  });
  if (random() < 0.3) opt.writeUInt16BE(int(random, 65536), 9); // a lying RDLENGTH
  const out = Buffer.concat([packet, opt]);
  out.writeUInt16BE((out.readUInt16BE(10) + (random() < 0.8 ? 1 : int(random, 3))) & 0xffff, 10);
  return out;
}

/** Writes a compression pointer (to itself, backwards, forwards, beyond) into the name. */
function pointer(packet: Buffer, random: Random): Buffer {
  if (packet.length < 14) return packet;
  const at = 12 + int(random, Math.max(1, packet.length - 13));
  const target = pick(random, [at, 12, 0, at + 2, packet.length, 0x3fff, int(random, 0x4000)]);
  packet.writeUInt16BE(0xc000 | (target & 0x3fff), at);
  return packet;
}

/** Random opcode, QR and reserved bits. */
function headerFlags(packet: Buffer, random: Random): Buffer {
  if (packet.length < 4) return packet;
  packet.writeUInt16BE(int(random, 65536), 2);
  return packet;
}

function randomPacket(random: Random): Buffer {
  return randomBytes(random, int(random, random() < 0.9 ? 64 : 600));
}

function randomBytes(random: Random, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = int(random, 256);
  return out;
}
