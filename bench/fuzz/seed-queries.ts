/**
 * The valid queries fuzzing starts from: the shapes clients really send to cluster DNS (A,
 * AAAA, SRV, PTR, ANY, NXDOMAIN names, CHAOS, with and without EDNS options), so that
 * mutations land near the parser's real paths instead of failing at the first byte.
 */
import { buildQuery } from '../../test/conformance/query-builder.js';

const NAMES: readonly [string, number][] = [
  ['web.shop.svc.cluster.local', 1],
  ['web.shop.svc.cluster.local', 28],
  ['_http._tcp.web.shop.svc.cluster.local', 33],
  ['20.0.96.10.in-addr.arpa', 12],
  ['web.shop.svc.cluster.local', 255],
  ['nosuch.shop.svc.cluster.local', 1],
  ['10-244-1-7.shop.pod.cluster.local', 1],
  ['cluster.local', 6],
  ['dns-version.cluster.local', 16],
  ['a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.cluster.local', 1],
];

/** Every seed packet, with IDs that mutation will change anyway. */
export function seedQueries(): Buffer[] {
  const seeds: Buffer[] = [];
  NAMES.forEach(([name, type], i) => {
    seeds.push(buildQuery({ id: i, name, type }));
    seeds.push(buildQuery({ id: i, name, type, edns: { flags: 0x8000, udpSize: 4096 } }));
    seeds.push(
      buildQuery({
        id: i,
        name,
        type,
        edns: {
          options: [
            [10, Buffer.alloc(8, 7)],
            [12, Buffer.alloc(16)],
          ],
        },
      }),
    );
  });
  seeds.push(buildQuery({ id: 99, name: 'version.bind', type: 16, qclass: 3 }));
  return seeds;
}
