/**
 * Round-robin load balancing on the wire: within the answer section, the addresses of each
 * A or AAAA RRset (same owner, same type) are put in a uniformly random order. Records keep
 * their places, so CNAMEs stay in front of the addresses they lead to (glibc needs that), and
 * only address bytes and TTLs move, so no compression pointer can be broken.
 */
import { HEADER_SIZE, RRType } from '../../wire/constants.js';
import { readName, scanReply, type ScannedRecord } from '../../wire/reply-scan.js';

/** Shuffles `wire` in place; a malformed or single-address reply is left as it is. */
export function shuffleAddresses(wire: Buffer, random: () => number): void {
  if (wire.length < HEADER_SIZE || wire.readUInt16BE(6) < 2) return;
  const scan = scanReply(wire);
  if (!scan) return;
  const groups = new Map<string, ScannedRecord[]>();
  for (const rr of scan.records) {
    if (rr.section !== 0) break;
    const size = rr.type === RRType.A ? 4 : rr.type === RRType.AAAA ? 16 : 0;
    if (size === 0 || rr.rdlength !== size) continue;
    const owner = readName(wire, rr.nameOffset);
    if (owner === null) return;
    const key = `${rr.type}/${owner}`;
    const group = groups.get(key);
    if (group) group.push(rr);
    else groups.set(key, [rr]);
  }
  for (const group of groups.values()) {
    if (group.length > 1) permute(wire, group, random);
  }
}

/** Fisher-Yates over the (TTL, RDATA) payloads of one RRset. */
function permute(wire: Buffer, group: readonly ScannedRecord[], random: () => number): void {
  const payloads = group.map((rr) =>
    Buffer.from(wire.subarray(rr.ttlOffset, rr.rdataOffset + rr.rdlength)),
  );
  for (let i = payloads.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [payloads[i], payloads[j]] = [payloads[j], payloads[i]];
  }
  group.forEach((rr, i) => payloads[i].copy(wire, rr.ttlOffset));
}
