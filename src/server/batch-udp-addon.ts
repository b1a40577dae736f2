/**
 * Loads the native batch UDP socket (`native/batch_udp.cc`, built by `npm ci` through
 * node-gyp into `build/Release/`). It exists for speed only: node:dgram does the same job one
 * datagram and two system calls at a time. Where the addon cannot be loaded (not Linux, no
 * build tools when installing) the server says so once and serves through node:dgram.
 */
import { createRequire } from 'node:module';

/** The socket as the addon hands it out: opaque to JavaScript. */
export type BatchEndpoint = { readonly __batchEndpoint: unique symbol };

export interface BatchUdpAddon {
  /** Binds a non-blocking UDP socket; throws the system error (code EADDRINUSE...). */
  open(address: string, port: number, reusePort: boolean): BatchEndpoint;
  /** Starts receiving: `onBatch(count)` runs once per batch of up to `batch` datagrams. */
  start(
    endpoint: BatchEndpoint,
    queries: Uint8Array,
    meta: Int32Array,
    replies: Uint8Array,
    replyLength: Int32Array,
    onBatch: (count: number) => void,
  ): void;
  /** Sends one datagram now; 0, or a negative errno. */
  sendTo(endpoint: BatchEndpoint, bytes: Uint8Array, address: string, port: number): number;
  /** The peer address of a slot of the current batch, as node:dgram would give it. */
  formatAddress(endpoint: BatchEndpoint, slot: number): string;
  localAddress(endpoint: BatchEndpoint): [string, number];
  close(endpoint: BatchEndpoint): void;
  /** Datagrams per batch. */
  readonly batch: number;
  /** Bytes per query slot and per reply slot. */
  readonly slot: number;
}

/**
 * Int32 fields per slot in the meta array: length, port, family (4|6), truncated (0|1), the
 * address (4 words; IPv4 in the first), the IPv6 scope id.
 */
export const META_INTS = 9;

const ADDON_PATH = new URL('../../../build/Release/batch_udp.node', import.meta.url);

let loaded: BatchUdpAddon | Error | undefined;

/** The addon, or why it cannot be used here (loaded once per process). */
export function batchUdpAddon(): BatchUdpAddon | Error {
  if (loaded !== undefined) return loaded;
  if (process.platform !== 'linux') {
    loaded = new Error(`batch UDP needs Linux (recvmmsg/sendmmsg), not ${process.platform}`);
    return loaded;
  }
  try {
    loaded = createRequire(import.meta.url)(ADDON_PATH.pathname) as BatchUdpAddon;
  } catch (err) {
    loaded = new Error(`cannot load ${ADDON_PATH.pathname}: ${(err as Error).message}`);
  }
  return loaded;
}
