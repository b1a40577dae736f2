/**
 * Runs Debian's dnsmasq on a loopback port as a real upstream (or as the reference cache in
 * the benchmark). Options are dnsmasq command-line flags, e.g. `--address=/x.test/192.0.2.1`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port.js';
import { waitForDns } from './query-udp.js';
import { makeTempDir } from '../helpers/temp-dir.js';

export class Dnsmasq {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(flags: readonly string[], pin?: string): Promise<Dnsmasq> {
    const port = await freePort();
    const dir = makeTempDir('dnsmasq-');
    const args = [
      '-k',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      `--pid-file=${path.join(dir, 'pid')}`,
      '--user=root',
      ...flags,
    ];
    const command = pin ? 'taskset' : 'dnsmasq';
    const child = spawn(command, pin ? ['-c', pin, 'dnsmasq', ...args] : args, { stdio: 'ignore' });
    const server = new Dnsmasq(child, port, dir);
    try {
      await waitForDns(port);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
