/**
 * The answer check before measuring, over every server: start it, compare its answers to the
 * data set with `dig`, stop it. A server that does not start is reported and left out of the
 * measurement instead of ending the run.
 */
import { readFileSync } from 'node:fs';
import type { CeilingRecords } from '../lib/ceiling-records.js';
import { startServer, type ServerUnderTest, type StartContext } from '../lib/servers.js';
import { verifyAnswers, type CheckResult } from '../lib/verify-answers.js';

export interface VerifyAllResult {
  /** The servers that started and answered, in the given order. */
  readonly started: ServerUnderTest[];
  readonly results: Map<string, CheckResult[]>;
}

export async function verifyAll(
  servers: readonly ServerUnderTest[],
  ctx: StartContext,
  log: (line: string) => void,
): Promise<VerifyAllResult> {
  const started: ServerUnderTest[] = [];
  const results = new Map<string, CheckResult[]>();
  for (const server of servers) {
    const external = server.queries === 'external';
    const file = external ? ctx.files.externalRecords : ctx.files.ceilingRecords;
    const records = JSON.parse(readFileSync(file, 'utf8')) as CeilingRecords;
    let running;
    try {
      running = await startServer(server, ctx);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      results.set(server.name, [{ check: 'start', ok: false, detail: reason.slice(0, 300) }]);
      log(`verify ${server.name}: did not start, left out: ${reason}`);
      continue;
    }
    try {
      const checks = await verifyAnswers({ port: running.port, records, cached: external });
      results.set(server.name, checks);
      started.push(server);
      const failed = checks.filter((c) => !c.ok);
      log(`verify ${server.name}: ${checks.length - failed.length}/${checks.length} checks pass`);
      for (const c of failed) log(`  differs: ${c.check}: ${c.detail}`);
    } finally {
      await running.stop();
    }
  }
  return { started, results };
}
