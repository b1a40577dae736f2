/**
 * Writes every rendering of the benchmark data into one directory: the Kubernetes state file
 * for clusterdns, the Knot zone, the dnsmasq hosts and configuration, the ceiling's records,
 * and the dnsperf query files (cluster names and external names).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDataset, type Dataset, type DatasetOptions, DEFAULT_DATASET } from './dataset.js';
import { buildExternalDataset } from './external-dataset.js';
import { ceilingRecordsFor, type CeilingRecords } from './ceiling-records.js';
import { renderKubernetesState } from './render-kubernetes.js';
import { renderKnotZone } from './render-knot.js';
import { renderDnsmasqConf, renderDnsmasqHosts } from './render-dnsmasq.js';

/** Absolute paths of the files written, and the models they came from. */
export interface DatasetFiles {
  readonly dir: string;
  readonly dataset: Dataset;
  readonly records: CeilingRecords;
  readonly stateFile: string;
  readonly knotZoneFile: string;
  readonly dnsmasqConf: string;
  readonly ceilingRecords: string;
  readonly queries: string;
  readonly externalRecords: string;
  readonly externalQueries: string;
  /** Each external name once, to fill a cache before measuring. */
  readonly externalWarmup: string;
}

/** Builds the data sets and writes them under `dir` (created if missing). */
export function writeDataset(dir: string, options: DatasetOptions = DEFAULT_DATASET): DatasetFiles {
  mkdirSync(dir, { recursive: true });
  const dataset = buildDataset(options);
  const records = ceilingRecordsFor(dataset);
  const external = buildExternalDataset();
  const file = (name: string, text: string): string => {
    const full = path.join(dir, name);
    writeFileSync(full, text);
    return full;
  };
  const warmup = external.records.a.map((r) => `${r.name} A`);
  const hosts = file('dnsmasq.hosts', renderDnsmasqHosts(records));
  return {
    dir,
    dataset,
    records,
    stateFile: file('cluster-state.json', renderKubernetesState(dataset)),
    knotZoneFile: file(`${dataset.zone}.zone`, renderKnotZone(records)),
    dnsmasqConf: file('dnsmasq.conf', renderDnsmasqConf(records, hosts)),
    ceilingRecords: file('records.json', JSON.stringify(records)),
    queries: file('queries.txt', dataset.queries.join('\n') + '\n'),
    externalRecords: file('external-records.json', JSON.stringify(external.records)),
    externalQueries: file('external-queries.txt', external.queries.join('\n') + '\n'),
    externalWarmup: file('external-warmup.txt', warmup.join('\n') + '\n'),
  };
}
