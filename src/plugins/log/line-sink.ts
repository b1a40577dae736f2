/**
 * Writes query log lines to a stream in batches: lines of one event-loop turn are joined and
 * written once, which keeps a busy server from paying one write call per query.
 */
import type { Writable } from 'node:stream';

export class LineSink {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly out: Writable) {}

  /** Queues one line (without newline); it is written before the next event-loop turn ends. */
  write(line: string): void {
    this.pending.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes everything queued now. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.out.write(text);
  }
}

let stdoutSink: LineSink | undefined;

/** The process-wide sink on standard output, shared by every `log` plugin. */
export function standardOutputSink(): LineSink {
  if (!stdoutSink) {
    const sink = new LineSink(process.stdout);
    // Lines of the last event-loop turn are written even when the process exits right after.
    process.once('exit', () => sink.flush());
    stdoutSink = sink;
  }
  return stdoutSink;
}
