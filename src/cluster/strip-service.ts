/**
 * v1 Service reduced to ServiceInfo.
 */
import { isIP } from 'node:net';
import type { ServiceInfo, ServiceKind } from './model.js';
import { FieldReader, formatPath, type JsonMap } from './field-reader.js';
import { readMetadata } from './object-meta.js';
import { readPorts } from './strip-ports.js';

/** Strips a v1 Service; throws InvalidObjectError when a field DNS needs is unusable. */
export function stripService(raw: JsonMap): ServiceInfo {
  const reader = new FieldReader('Service');
  const { namespace, name } = readMetadata(reader, raw, true, true);
  const spec = reader.map(raw.spec, ['spec']) ?? {};
  const kind = serviceKind(reader, spec);
  return {
    namespace,
    name,
    kind,
    clusterIPs: kind === 'ClusterIP' ? readClusterIPs(reader, spec) : [],
    externalName: kind === 'ExternalName' ? readExternalName(reader, spec) : '',
    ports: kind === 'ExternalName' ? [] : readPorts(reader, spec.ports, ['spec', 'ports'], true),
  };
}

function serviceKind(reader: FieldReader, spec: JsonMap): ServiceKind {
  const type = reader.optionalString(spec.type, ['spec', 'type']);
  if (type === 'ExternalName') return 'ExternalName';
  const clusterIP = reader.optionalString(spec.clusterIP, ['spec', 'clusterIP']);
  const first = reader.list(spec.clusterIPs, ['spec', 'clusterIPs'])[0];
  return clusterIP === 'None' || first === 'None' ? 'Headless' : 'ClusterIP';
}

/** `spec.clusterIPs` (dual-stack, primary first), else `spec.clusterIP` (older objects). */
function readClusterIPs(reader: FieldReader, spec: JsonMap): string[] {
  const list = reader.list(spec.clusterIPs, ['spec', 'clusterIPs']);
  const entries = list.length > 0 ? list : [spec.clusterIP];
  const base = list.length > 0 ? ['spec', 'clusterIPs'] : ['spec', 'clusterIP'];
  return entries.map((entry, index) => {
    const path = list.length > 0 ? [...base, index] : base;
    const ip = reader.optionalString(entry, path);
    if (ip === undefined || ip === '') {
      return reader.fail(path, `${formatPath(path)} is missing for a Service with a cluster IP`);
    }
    if (isIP(ip) === 0) {
      return reader.fail(path, `${formatPath(path)} "${ip}" is not an IP address`);
    }
    return ip;
  });
}

/** `spec.externalName` in lower case without the trailing dot, as DNS compares names. */
function readExternalName(reader: FieldReader, spec: JsonMap): string {
  const path = ['spec', 'externalName'];
  const target = reader.requiredString(spec.externalName, path).toLowerCase();
  const bare = target.endsWith('.') ? target.slice(0, -1) : target;
  if (bare === '') return reader.fail(path, 'spec.externalName is the root, not a name');
  return bare;
}
