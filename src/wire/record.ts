/**
 * The resource records clusterdns writes. Names are lower case, labels joined by '.', no
 * trailing dot, root ''. This is the model every answering plugin builds and the message
 * writer encodes; nothing here touches the wire.
 */

export interface SoaData {
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

export interface SrvData {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

export type ResourceRecord =
  | { readonly name: string; readonly type: 1 | 28; readonly ttl: number; readonly address: string }
  | { readonly name: string; readonly type: 2 | 5 | 12; readonly ttl: number; readonly target: string }
  | { readonly name: string; readonly type: 6; readonly ttl: number; readonly soa: SoaData }
  | { readonly name: string; readonly type: 16; readonly ttl: number; readonly text: readonly string[] }
  | { readonly name: string; readonly type: 33; readonly ttl: number; readonly srv: SrvData };

/** Record classes other than IN are only written for CHAOS answers; the writer takes a class. */
export interface Answer {
  readonly rcode: number;
  /** Authoritative answer: set for every answer from a zone clusterdns serves. */
  readonly authoritative: boolean;
  readonly answer: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  readonly additional: readonly ResourceRecord[];
}
