/**
 * The contract between the server and the plugins of a server block.
 *
 * A chain is a linked list fixed at construction: each plugin is built with the handler that
 * follows it and calls it when the query is not its to answer. A reply is the complete wire
 * answer (ID, flags and question already set), or null to send nothing (a dropped query).
 * Throwing is allowed: the server catches once per query and answers SERVFAIL.
 */
import type { DnsRequest } from './request.js';

export type Reply = Buffer | null;

export interface Handler {
  /** The plugin's name as written in a Corefile, used in metrics and logs. */
  readonly name: string;
  serve(request: DnsRequest): Reply | Promise<Reply>;
}

/** Something that can be not-ready (the Kubernetes sync): the `ready` plugin polls these. */
export interface Readiness {
  readonly name: string;
  ready(): boolean;
}

/** Something that holds resources (sockets, watches, timers) and must be released on reload. */
export interface Closable {
  close(): Promise<void> | void;
}
