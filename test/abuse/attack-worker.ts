/**
 * Runs one attacker of attackers.ts in a worker thread, so that its event loop never delays
 * the test's own UDP measurements: what the test sees is the server's latency only. Started
 * with `{ kind, port, count, param }`; on the message 'stop' it stops and posts its counts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connectionFlood, trickle } from './attackers.js';

interface AttackSpec {
  readonly kind: 'trickle' | 'flood';
  readonly port: number;
  /** trickle: clients; flood: connections in all. */
  readonly count: number;
  /** trickle: ms between bytes; flood: connections opened at a time. */
  readonly param: number;
}

const spec = workerData as AttackSpec;
const attack =
  spec.kind === 'trickle'
    ? trickle(spec.port, spec.count, spec.param)
    : connectionFlood(spec.port, spec.count, spec.param);

parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  void attack.stop().then(() => {
    parentPort?.postMessage(attack.counts);
    parentPort?.close();
  });
});
