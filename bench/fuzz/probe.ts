/** The check run after every fuzz batch: a plain query must get exactly the fixture's answer. */
import dnsPacket from 'dns-packet';
import { WEB_IP, WEB_NAME } from '../../test/conformance/cluster-fixture.js';
import { buildQuery } from '../../test/conformance/query-builder.js';
import { exchange, renderRecords, viewReply } from '../../test/conformance/wire-client.js';

/**
 * Resolves with the number of retries when `web` A is answered correctly on `transport`;
 * rejects with what came instead. Like a stub resolver, it asks up to 3 times, 1 s apart: a
 * flood of fuzz packets can overflow the server's UDP receive buffer, which drops the probe
 * with the rest; an answer that never comes in 3 s is a failure.
 */
export async function probeCluster(port: number, transport: 'udp' | 'tcp'): Promise<number> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const reply = await exchange(transport, port, buildQuery({ id: 0xbeef, name: WEB_NAME }), 1000);
    if (reply !== null) {
      check(reply, transport);
      return attempt;
    }
  }
  throw new Error(`probe over ${transport}: no answer in 3 tries of 1 s`);
}

function check(reply: Buffer, transport: 'udp' | 'tcp'): void {
  const id = 0xbeef;
  const view = viewReply(reply);
  const answer = renderRecords(dnsPacket.decode(reply).answers);
  const expected = [`${WEB_NAME} 5 A ${WEB_IP}`];
  if (view.id !== id || view.rcode !== 0 || answer.join() !== expected.join()) {
    throw new Error(
      `probe over ${transport}: rcode ${view.rcode}, answer ${JSON.stringify(answer)}`,
    );
  }
}
