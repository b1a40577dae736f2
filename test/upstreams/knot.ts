/**
 * Runs Debian's knotd on a loopback port as a real authoritative upstream, serving zone files
 * the test writes into a temporary directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port.js';
import { UpstreamDaemon } from './upstream-daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';

export interface KnotZone {
  /** Zone name without trailing dot, e.g. `example.test`. */
  readonly name: string;
  /** The zone file text; `$ORIGIN` is added. */
  readonly text: string;
}

export class Knot {
  private constructor(private readonly daemon: UpstreamDaemon) {}

  static async start(
    zones: readonly KnotZone[],
    options: { workers?: number } = {},
  ): Promise<Knot> {
    const port = await freePort();
    const dir = makeTempDir('knot-');
    const workers = options.workers ?? 1;
    const zoneLines = zones
      .map((z) => `  - domain: ${z.name}\n    file: ${z.name}.zone\n`)
      .join('');
    for (const zone of zones) {
      fs.writeFileSync(
        path.join(dir, `${zone.name}.zone`),
        `$ORIGIN ${zone.name}.\n${zone.text}\n`,
      );
    }
    const conf = [
      'server:',
      `  rundir: ${dir}`,
      `  listen: 127.0.0.1@${port}`,
      `  udp-workers: ${workers}`,
      `  tcp-workers: ${workers}`,
      '  background-workers: 1',
      'database:',
      `  storage: ${dir}`,
      'log:',
      '  - target: stderr',
      '    any: error',
      'template:',
      '  - id: default',
      `    storage: ${dir}`,
      'zone:',
      zoneLines,
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'knot.conf'), conf);
    const args = ['-c', path.join(dir, 'knot.conf')];
    return new Knot(await UpstreamDaemon.start('knotd', args, port, dir));
  }

  get port(): number {
    return this.daemon.port;
  }

  get dir(): string {
    return this.daemon.dir;
  }

  get pid(): number | undefined {
    return this.daemon.pid;
  }

  stop(): Promise<void> {
    return this.daemon.stop();
  }
}
