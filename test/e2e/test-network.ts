/**
 * Network namespaces for end-to-end tests: one L2 segment (a bridge in a "hub" namespace) with
 * one veth per member namespace, and NO route anywhere else, so every packet the test causes
 * stays inside namespaces it created. Each member's /etc/resolv.conf can be set through
 * /etc/netns/NAME/resolv.conf, which `ip netns exec` bind-mounts over /etc/resolv.conf.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class TestNetwork {
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  private members = 0;

  /** `prefix` keeps names unique per test run (namespace names are global on the host). */
  constructor(readonly prefix: string) {}

  /** The host-wide name of a member namespace. */
  ns(name: string): string {
    return `${this.prefix}-${name}`;
  }

  /** Creates the hub: a namespace holding the bridge every member is plugged into. */
  async createHub(): Promise<void> {
    await this.addNamespace('hub');
    await ip('-n', this.ns('hub'), 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', this.ns('hub'), 'link', 'set', 'br0', 'up');
  }

  /**
   * Creates a member namespace with `eth0` on the bridge carrying `addresses` (CIDR form).
   * No default route is added: only the addresses' own prefixes are reachable.
   */
  async addMember(name: string, addresses: readonly string[]): Promise<void> {
    await this.addNamespace(name);
    const ns = this.ns(name);
    const hubSide = `m${this.members++}`;
    await ip(
      'link',
      'add',
      'eth0',
      'netns',
      ns,
      'type',
      'veth',
      'peer',
      'name',
      hubSide,
      'netns',
      this.ns('hub'),
    );
    await ip('-n', this.ns('hub'), 'link', 'set', hubSide, 'master', 'br0');
    await ip('-n', this.ns('hub'), 'link', 'set', hubSide, 'up');
    for (const address of addresses) await ip('-n', ns, 'address', 'add', address, 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
  }

  /** Writes the file `ip netns exec` will show as /etc/resolv.conf in `name`. */
  setResolvConf(name: string, text: string): void {
    const dir = path.join('/etc/netns', this.ns(name));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'resolv.conf'), text);
  }

  /** Runs a command inside `name` and waits; never rejects for a non-zero exit. */
  async exec(
    name: string,
    command: string,
    args: readonly string[],
    timeoutMs = 20_000,
  ): Promise<ExecResult> {
    try {
      const { stdout, stderr } = await run(
        'ip',
        ['netns', 'exec', this.ns(name), command, ...args],
        {
          timeout: timeoutMs,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number | string; stdout?: string; stderr?: string };
      return {
        code: typeof e.code === 'number' ? e.code : -1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? String(err),
      };
    }
  }

  /** Starts a long-running command inside `name`; it is killed by `destroy`. */
  spawn(name: string, command: string, args: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns(name), command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    return child;
  }

  /** Stops `child` (SIGTERM, then SIGKILL after 5 s) and waits for it. */
  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Kills what was started, deletes every namespace and /etc/netns dir; safe to call twice. */
  async destroy(): Promise<void> {
    await Promise.all(this.children.map((child) => this.stop(child)));
    for (const ns of this.namespaces.splice(0)) {
      await ip('netns', 'del', ns).catch(() => undefined);
      fs.rmSync(path.join('/etc/netns', ns), { recursive: true, force: true });
    }
  }

  private async addNamespace(name: string): Promise<void> {
    const ns = this.ns(name);
    await ip('netns', 'add', ns);
    this.namespaces.push(ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args, { timeout: 10_000 });
}
