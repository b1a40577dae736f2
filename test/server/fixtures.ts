/**
 * Shared fixtures of the server tests: a Corefile in a fresh temporary directory, a server with
 * an empty example.org block, and reading a metric's value from the prometheus plugin's /metrics.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Writes `text` as a Corefile in a new temporary directory; returns its path. */
export async function writeCorefile(text: string): Promise<string> {
  const dir = makeTempDir('clusterdns-server-');
  const file = path.join(dir, 'Corefile');
  await fs.writeFile(file, text);
  return file;
}

/** Serves an empty `example.org` block on an ephemeral loopback port, with extra CLI `flags`. */
export async function serveEmptyZone(flags: readonly string[]): Promise<ClusterDnsProcess> {
  const conf = await writeCorefile('example.org:0 {\n}\n');
  return ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0', ...flags]);
}

/** The value of one sample (`name{labels}` exactly as exported), or undefined when absent. */
export async function metricValue(port: number, sample: string): Promise<number | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await response.text();
  for (const line of text.split('\n')) {
    if (line.startsWith(sample + ' ')) return Number(line.slice(sample.length + 1));
  }
  return undefined;
}
