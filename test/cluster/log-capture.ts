/**
 * A real pino logger whose JSON lines are kept in memory, so tests can assert on them.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface LogEntry {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export const INFO = 30;
export const WARN = 40;
export const ERROR = 50;

export function captureLogs(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') entries.push(JSON.parse(line) as LogEntry);
      }
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), entries };
}
