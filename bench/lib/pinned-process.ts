/**
 * A server process started under `taskset` on one CPU, with the tail of its output kept for
 * error messages, stopped by SIGTERM (SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export class PinnedProcess {
  private output = '';
  private exitCode: number | null | undefined = undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly label: string,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        resolve();
      }),
    );
  }

  /** Starts `command args...` pinned to `cpu`: one CPU or a taskset list such as `1-3`. */
  static start(label: string, cpu: number | string, command: string, args: readonly string[]) {
    const child = spawn('taskset', ['-c', String(cpu), command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new PinnedProcess(child, label);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.label} did not start`);
    return this.child.pid;
  }

  /** True while the process has not exited. */
  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last few kilobytes the process printed. */
  tail(): string {
    return this.output;
  }

  /** Sends SIGTERM and waits; SIGKILL if still alive after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const killed = sleep(graceMs).then(() => {
      if (this.running) this.child.kill('SIGKILL');
    });
    await Promise.race([this.exited, killed]);
    await this.exited;
  }
}
