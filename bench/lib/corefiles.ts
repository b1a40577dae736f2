/**
 * Corefiles the benchmark gives clusterdns.
 */
import type { DatasetFiles } from './write-dataset.js';

/**
 * The cached-external-names configuration: the kubernetes records from the state file (so
 * the query passes the plugin a real deployment has in front), then the cache, then forward
 * to the loopback upstream. The listen address comes from `--listen 127.0.0.1:PORT`.
 */
export function clusterdnsCacheCorefile(port: number, upstreamPort: number, files: DatasetFiles) {
  const { zone, ttl } = files.dataset;
  return [
    `.:${port} {`,
    `    kubernetes ${zone} {`,
    `        state ${files.stateFile}`,
    `        ttl ${ttl}`,
    '    }',
    '    cache 300',
    `    forward . 127.0.0.1:${upstreamPort}`,
    '}',
    '',
  ].join('\n');
}
