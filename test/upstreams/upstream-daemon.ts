/**
 * A real upstream daemon (dnsmasq, knotd) spawned on a loopback port, with the temporary
 * directory it owns. Shared by the per-daemon wrappers, which only build the command line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { waitForDns } from './query-udp.js';

export class UpstreamDaemon {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly dir: string,
  ) {}

  /** Spawns `command args` and resolves once it answers DNS on `port`; stops it on failure. */
  static async start(
    command: string,
    args: readonly string[],
    port: number,
    dir: string,
  ): Promise<UpstreamDaemon> {
    const child = spawn(command, args, { stdio: 'ignore' });
    const daemon = new UpstreamDaemon(child, port, dir);
    try {
      await waitForDns(port);
    } catch (err) {
      await daemon.stop();
      throw err;
    }
    return daemon;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends SIGTERM, waits for the exit, then removes the directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
