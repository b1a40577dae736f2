/**
 * Queries one name with the real `dig` in a loop while a test injects faults, and records
 * every answer that is not one of the allowed ones: "no wrong answer at any time" made
 * checkable.
 */
import { Resolver } from 'node:dns/promises';
import { dig } from '../helpers/dig.js';

/** An answer reduced to rcode plus sorted answer records, e.g. `NOERROR|a. 5 IN A 10.0.0.1`. */
export function answerOf(result: { status: string; answer: readonly string[] }): string {
  return [result.status, ...[...result.answer].sort()].join('|');
}

export class AnswerWatch {
  readonly wrong: string[] = [];
  count = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly port: number,
    private readonly name: string,
    private readonly type: string,
    private readonly allowed: ReadonlySet<string>,
  ) {
    this.loop = this.run();
  }

  /** Stops querying; resolves once the last query is done. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const seen = answerOf(await dig(this.name, this.type, { port: this.port }));
      this.count++;
      if (!this.allowed.has(seen)) this.wrong.push(seen);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  }
}

/** Polls with dig until the answer equals `expected`; resolves with the elapsed ms. */
export async function answerBecomes(
  port: number,
  name: string,
  type: string,
  expected: string,
  timeoutMs = 10_000,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const seen = answerOf(await dig(name, type, { port }));
    if (seen === expected) return performance.now() - started;
    if (performance.now() - started > timeoutMs) {
      throw new Error(`${name} ${type}: still ${seen}, expected ${expected}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Polls with Node's resolver (c-ares, no cache) until `name` resolves to exactly `ip`;
 * resolves with the elapsed ms. Cheaper per query than spawning dig, so the figure is
 * closer to the server's own delay.
 */
export async function addressBecomes(port: number, name: string, ip: string): Promise<number> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const started = performance.now();
  for (;;) {
    const addresses = await resolver.resolve4(name).catch(() => []);
    if (addresses.length === 1 && addresses[0] === ip) return performance.now() - started;
    if (performance.now() - started > 10_000) throw new Error(`${name}: still ${addresses}`);
  }
}
