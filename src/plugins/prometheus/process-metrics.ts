/**
 * Metrics about the process rather than queries: `coredns_build_info` and the Node.js process
 * metrics of prom-client (CPU, memory, event loop lag, GC), registered once per registry.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import client from 'prom-client';
import { gauge, type Registry } from '../../metrics/registry.js';

const registered = new WeakSet<Registry>();

/**
 * Registers the process metrics on the registry unless already done. The build info keeps
 * CoreDNS's label names; `goversion` carries the Node.js version, the runtime's equivalent.
 */
export function registerProcessMetrics(registry: Registry): void {
  if (registered.has(registry)) return;
  registered.add(registry);
  client.collectDefaultMetrics({ register: registry });
  gauge(registry, {
    name: 'coredns_build_info',
    help: 'Always 1; the labels name the clusterdns version and the runtime it runs on.',
    labelNames: ['version', 'revision', 'goversion'],
  })
    .labels(packageVersion(), 'unknown', process.version)
    .set(1);
}

/** The version in package.json, found from this compiled file (dist/src/...) or the source. */
function packageVersion(): string {
  for (const relative of ['../../../../package.json', '../../../package.json']) {
    try {
      const file = fileURLToPath(new URL(relative, import.meta.url));
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'clusterdns' && pkg.version) return pkg.version;
    } catch {
      // Not at this depth; try the next candidate.
    }
  }
  return 'unknown';
}
