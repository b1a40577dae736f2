/**
 * A process for the loop test: `forward . 127.0.0.1:RELAY` behind `loop` for zone ZONE,
 * served on loopback, with the loop plugin's default reaction (log at error, exit 1). It
 * prints `{"msg":"listening","port":N}` once serving, then waits.
 *
 *   node loop-process.js RELAY_PORT ZONE
 */
import { pino } from 'pino';
import { setup as forwardSetup } from '../../src/plugins/forward/setup.js';
import { LoopHandler } from '../../src/plugins/loop/loop-handler.js';
import { build, ChainServer, directive, refuseAll, TestContext } from './chain-harness.js';

const [relayPort, zone = ''] = process.argv.slice(2);
const context = new TestContext({ zones: [zone], port: 53, server: 'dns://:53' });
const forward = build(
  forwardSetup,
  directive('forward', ['.', `127.0.0.1:${relayPort}`]),
  refuseAll,
  context,
);
const loop = new LoopHandler(zone, forward, { logger: pino(), firstProbeMs: 200 });
const server = await ChainServer.start(() => loop);
console.log(JSON.stringify({ msg: 'listening', port: server.port }));
