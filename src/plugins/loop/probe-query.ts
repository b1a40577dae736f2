/**
 * The wire form of the loop probe: one question, RD set, random ID, no EDNS.
 */
import { randomInt } from 'node:crypto';

export function encodeProbe(name: string, type: number): Buffer {
  const labels = name === '' ? [] : name.split('.');
  const nameLength = labels.reduce((n, l) => n + l.length + 1, 1);
  const wire = Buffer.alloc(12 + nameLength + 4);
  wire.writeUInt16BE(randomInt(65536), 0);
  wire.writeUInt16BE(0x0100, 2);
  wire.writeUInt16BE(1, 4);
  let pos = 12;
  for (const label of labels) {
    wire[pos] = label.length;
    wire.write(label, pos + 1, 'latin1');
    pos += label.length + 1;
  }
  wire[pos] = 0;
  wire.writeUInt16BE(type, pos + 1);
  wire.writeUInt16BE(1, pos + 3);
  return wire;
}
