/**
 * v1 Pod reduced to PodInfo, for pod records under `pods verified` and for autopath.
 */
import { isIP } from 'node:net';
import type { PodInfo } from './model.js';
import { FieldReader, formatPath, type JsonMap } from './field-reader.js';
import { readMetadata } from './object-meta.js';

/** Phases after which a pod no longer holds its IP (it may be reused by another pod). */
const TERMINAL_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed']);

/**
 * Strips a v1 Pod. Returns null for a pod DNS must not vouch for: one being deleted (it has a
 * `metadata.deletionTimestamp`) or in a terminal phase; a watch treats null as a removal.
 */
export function stripPod(raw: JsonMap): PodInfo | null {
  const reader = new FieldReader('Pod');
  const { namespace, name } = readMetadata(reader, raw, true, false);
  const metadata = reader.map(raw.metadata, ['metadata']) ?? {};
  if (metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null) return null;
  const spec = reader.map(raw.spec, ['spec']) ?? {};
  const status = reader.map(raw.status, ['status']) ?? {};
  const phase = reader.optionalString(status.phase, ['status', 'phase']);
  if (phase !== undefined && TERMINAL_PHASES.has(phase)) return null;
  return {
    namespace,
    name,
    ips: readPodIPs(reader, status),
    hostNetwork: reader.optionalBoolean(spec.hostNetwork, ['spec', 'hostNetwork']) ?? false,
  };
}

/** `status.podIPs[].ip` (dual-stack), else `status.podIP`; empty before an IP is assigned. */
function readPodIPs(reader: FieldReader, status: JsonMap): string[] {
  const entries = reader.list(status.podIPs, ['status', 'podIPs']);
  const ips = entries.map((entry, index) => {
    const path = ['status', 'podIPs', index];
    const map = reader.map(entry, path);
    if (map === undefined) return reader.fail(path, `${formatPath(path)} must be a mapping`);
    return reader.requiredString(map.ip, [...path, 'ip']);
  });
  if (ips.length === 0) {
    const single = reader.optionalString(status.podIP, ['status', 'podIP']);
    if (single !== undefined && single !== '') ips.push(single);
  }
  ips.forEach((ip, index) => {
    if (isIP(ip) !== 0) return;
    const path = entries.length > 0 ? ['status', 'podIPs', index, 'ip'] : ['status', 'podIP'];
    reader.fail(path, `${formatPath(path)} "${ip}" is not an IP address`);
  });
  return ips;
}
