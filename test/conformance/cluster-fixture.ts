/**
 * The small cluster every hardening test serves (one ClusterIP Service with a named port, in
 * namespace `shop`) and a helper that starts the real `clusterdns serve` on it from Corefile
 * text, on an ephemeral loopback port.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

export const WEB_NAME = 'web.shop.svc.cluster.local';
export const WEB_IP = '10.96.0.20';

const STATE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: ClusterIP
  clusterIP: ${WEB_IP}
  clusterIPs: [${WEB_IP}]
  ports:
  - name: http
    port: 80
    protocol: TCP
`;

/** A Corefile whose cluster block serves the fixture; `STATE` is replaced by its path. */
export const CLUSTER_BLOCK = `cluster.local:0 {
    kubernetes cluster.local {
        state STATE
    }
}
`;

export interface Served {
  readonly proc: ClusterDnsProcess;
  readonly port: number;
  /** Ports of every listener, in `--listen` order (the first is `port`). */
  readonly ports: readonly number[];
  readonly dir: string;
  stop(): Promise<number | null>;
}

/** Writes the state and `corefile` (STATE replaced) to a temp dir and serves them. */
export async function serveCorefile(
  corefile: string,
  flags: readonly string[] = [],
): Promise<Served> {
  const dir = makeTempDir('clusterdns-h8-');
  const state = path.join(dir, 'state.yaml');
  const conf = path.join(dir, 'Corefile');
  await fs.writeFile(state, STATE);
  await fs.writeFile(conf, corefile.replaceAll('STATE', state));
  const proc = await ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0', ...flags]);
  if (corefile.includes('STATE')) await proc.waitFor((l) => l.msg === 'state loaded', 10_000);
  return {
    proc,
    port: proc.port,
    ports: listenerPorts(proc),
    dir,
    async stop() {
      const code = await proc.stop();
      await fs.rm(dir, { recursive: true, force: true });
      return code;
    },
  };
}

function listenerPorts(proc: ClusterDnsProcess): number[] {
  const serving = proc.lines.find((l) => l.msg === 'serving');
  return ((serving?.listeners ?? []) as { port: number }[]).map((l) => l.port);
}
