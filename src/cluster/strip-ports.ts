/**
 * Port lists of Services, EndpointSlices and Endpoints reduced to PortInfo.
 */
import type { PortInfo, PortProtocol } from './model.js';
import { formatPath, type FieldPath, type FieldReader } from './field-reader.js';
import { intern } from './intern.js';

const PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'sctp']);

/** `protocol`, lower case; the API default TCP when unset. */
function readProtocol(reader: FieldReader, value: unknown, path: FieldPath): PortProtocol {
  const text = reader.optionalString(value, path);
  if (text === undefined || text === '') return 'tcp';
  const lower = text.toLowerCase();
  if (PROTOCOLS.has(lower)) return lower as PortProtocol;
  return reader.fail(path, `${formatPath(path)} must be TCP, UDP or SCTP, got "${text}"`);
}

/**
 * Reads a list of ports (`name`, `port`, `protocol`). With `portRequired` false, an entry
 * whose port is unset or null is left out: EndpointSlice ports may be null for non-Service
 * uses, and such a port cannot be published in SRV.
 */
export function readPorts(
  reader: FieldReader,
  value: unknown,
  path: FieldPath,
  portRequired: boolean,
): PortInfo[] {
  const ports: PortInfo[] = [];
  reader.list(value, path).forEach((entry, index) => {
    const at = [...path, index];
    const map = reader.map(entry, at);
    if (map === undefined) return reader.fail(at, `${formatPath(at)} must be a mapping`);
    if (!portRequired && (map.port === undefined || map.port === null)) return;
    ports.push({
      name: intern(reader.optionalString(map.name, [...at, 'name']) ?? ''),
      port: reader.integer(map.port, [...at, 'port'], 1, 65535),
      protocol: readProtocol(reader, map.protocol, [...at, 'protocol']),
    });
  });
  return ports;
}
