/**
 * Starts the real `clusterdns` executable as a child process and waits until it serves.
 *
 * Contract with the CLI: the process logs JSON lines (pino) on stdout; once every listener is
 * bound it logs `{"msg":"serving","listeners":[{"address":"127.0.0.1","port":N}, ...]}`.
 * HTTP services log `{"msg":"http listening","plugin":"health","port":N}`. Tests pass port 0
 * (in flags or Corefiles) and read the chosen ports from these lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Path of the compiled CLI, found relative to this compiled helper (dist/test/helpers). */
export const CLI_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../src/cli/main.js',
);

export interface LogLine {
  readonly msg?: string;
  readonly level?: number;
  readonly [key: string]: unknown;
}

/**
 * Servers still running: every one is killed when the test process exits (e.g. a test file
 * that crashed), so none outlives it holding its ports.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class ClusterDnsProcess {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  private exitCode: number | null | undefined = undefined;
  private readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.lines.push(parseLine(line));
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.stderr.push(chunk));
    running.add(child);
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        running.delete(child);
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  /** Spawns `clusterdns ARGS...` without waiting. */
  static spawn(args: readonly string[], env: NodeJS.ProcessEnv = {}): ClusterDnsProcess {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ClusterDnsProcess(child);
  }

  /** Spawns `clusterdns serve ARGS...` and resolves once it logs "serving". */
  static async serve(
    args: readonly string[],
    env: NodeJS.ProcessEnv = {},
    timeoutMs = 15_000,
  ): Promise<ClusterDnsProcess> {
    const proc = ClusterDnsProcess.spawn(['serve', ...args], env);
    try {
      await proc.waitFor((l) => l.msg === 'serving', timeoutMs);
    } catch (err) {
      await proc.stop();
      throw err;
    }
    return proc;
  }

  /** The port of the first DNS listener (from the "serving" line). */
  get port(): number {
    const serving = this.lines.find((l) => l.msg === 'serving');
    const listeners = serving?.listeners as { port: number }[] | undefined;
    if (!listeners?.length) throw new Error('not serving yet');
    return listeners[0].port;
  }

  /** The port an HTTP plugin (health, ready, prometheus) bound. */
  httpPort(plugin: string): number {
    const line = this.lines.find((l) => l.msg === 'http listening' && l.plugin === plugin);
    if (!line) throw new Error(`no http listener for ${plugin}`);
    return line.port as number;
  }

  /** Resolves with the first log line (already seen or future) that matches. */
  async waitFor(match: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      for (; seen < this.lines.length; seen++) {
        if (match(this.lines[seen])) return this.lines[seen];
      }
      if (this.exitCode !== undefined) {
        throw new Error(`clusterdns exited (${this.exitCode}): ${this.output()}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting; output: ${this.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resolves with the exit code once the process ends. */
  wait(): Promise<number | null> {
    return this.exited;
  }

  /** Sends SIGTERM (or the given signal) and waits for exit; SIGKILL after 10 s. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  output(): string {
    return [...this.lines.map((l) => JSON.stringify(l)), ...this.stderr].join('\n').slice(-4000);
  }
}

function parseLine(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { msg: undefined, text: line };
  }
}
