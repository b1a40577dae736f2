/**
 * Runs Debian's dnsmasq on a loopback port as a real upstream (or as the reference cache in
 * the benchmark). Options are dnsmasq command-line flags, e.g. `--address=/x.test/192.0.2.1`.
 */
import path from 'node:path';
import { freePort } from './free-port.js';
import { UpstreamDaemon } from './upstream-daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';

export class Dnsmasq {
  private constructor(private readonly daemon: UpstreamDaemon) {}

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
    const commandArgs = pin ? ['-c', pin, 'dnsmasq', ...args] : args;
    return new Dnsmasq(await UpstreamDaemon.start(command, commandArgs, port, dir));
  }

  get port(): number {
    return this.daemon.port;
  }

  get pid(): number | undefined {
    return this.daemon.pid;
  }

  stop(): Promise<void> {
    return this.daemon.stop();
  }
}
