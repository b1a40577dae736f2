/**
 * Builds query packets byte by byte, including the shapes real clients never send (several
 * questions, unknown opcodes, EDNS version 1, flags that must be zero), for the conformance,
 * fuzz and abuse tests.
 */

export interface EdnsShape {
  readonly version?: number;
  readonly udpSize?: number;
  /** The 16 EDNS flag bits; DO is 0x8000. */
  readonly flags?: number;
  /** Options as [code, data]. */
  readonly options?: readonly (readonly [number, Buffer])[];
}

export interface QueryShape {
  readonly id?: number;
  readonly name?: string;
  readonly type?: number;
  readonly qclass?: number;
  /** The 16-bit header flags word; default RD only. */
  readonly flags?: number;
  /** How many times the question is written (QDCOUNT); default 1. */
  readonly questions?: number;
  readonly edns?: EdnsShape;
}

export const Flags = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, Z: 0x0040 } as const;

/** Encodes a name as labels; a label may hold any octets as given (latin1). */
export function encodeName(name: string): Buffer {
  const labels = name.split('.').filter((l) => l !== '');
  const parts = labels.flatMap((l) => [Buffer.from([l.length]), Buffer.from(l, 'latin1')]);
  return Buffer.concat([...parts, Buffer.from([0])]);
}

export function buildQuery(shape: QueryShape = {}): Buffer {
  const questions = shape.questions ?? 1;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(shape.id ?? 0x1234, 0);
  header.writeUInt16BE(shape.flags ?? Flags.RD, 2);
  header.writeUInt16BE(questions, 4);
  header.writeUInt16BE(shape.edns ? 1 : 0, 10);
  const question = Buffer.concat([encodeName(shape.name ?? 'example.org'), Buffer.alloc(4)]);
  question.writeUInt16BE(shape.type ?? 1, question.length - 4);
  question.writeUInt16BE(shape.qclass ?? 1, question.length - 2);
  const parts: Buffer[] = [header, ...Array.from({ length: questions }, () => question)];
  if (shape.edns) parts.push(optRecord(shape.edns));
  return Buffer.concat(parts);
}

/** An OPT pseudo-record (RFC 6891 §6.1.2). */
export function optRecord(edns: EdnsShape): Buffer {
  const options = (edns.options ?? []).map(([code, data]) => {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(code, 0);
    head.writeUInt16BE(data.length, 2);
    return Buffer.concat([head, data]);
  });
  const rdata = Buffer.concat(options);
  const opt = Buffer.alloc(11);
  opt.writeUInt16BE(41, 1);
  opt.writeUInt16BE(edns.udpSize ?? 1232, 3);
  opt[6] = edns.version ?? 0;
  opt.writeUInt16BE(edns.flags ?? 0, 7);
  opt.writeUInt16BE(rdata.length, 9);
  return Buffer.concat([opt, rdata]);
}
