/**
 * Legacy v1 Endpoints converted to EndpointSliceInfo, for Services that have no EndpointSlice
 * (clusters or dumps from before slices, hand-written state). An Endpoints object is named
 * like its Service; `addresses` are ready and `notReadyAddresses` are not.
 */
import { isIP } from 'node:net';
import type { EndpointInfo, EndpointSliceInfo, PortInfo } from './model.js';
import { FieldReader, formatPath, type FieldPath, type JsonMap } from './field-reader.js';
import { readMetadata } from './object-meta.js';
import { readPorts } from './strip-ports.js';
import { readAddress, readHostname, readPodName } from './strip-endpoint-slice.js';

type AddressType = EndpointSliceInfo['addressType'];

interface Piece {
  readonly subset: number;
  readonly addressType: AddressType;
  readonly endpoints: EndpointInfo[];
  readonly ports: PortInfo[];
}

/**
 * Strips a v1 Endpoints object into slices marked `fromEndpoints`: one per subset and address
 * family, since a slice has one family and one port list. The usual single slice is named
 * `endpoints/<name>`; several are `endpoints/<name>/<subset>-ipv4|ipv6`. An object without
 * addresses still gives one empty slice, so that the Service is known to have no endpoints.
 */
export function stripEndpoints(raw: JsonMap): EndpointSliceInfo[] {
  const reader = new FieldReader('Endpoints');
  const { namespace, name } = readMetadata(reader, raw, true, true);
  const pieces = reader
    .list(raw.subsets, ['subsets'])
    .flatMap((subset, index) => readSubset(reader, subset, index));
  if (pieces.length === 0) {
    pieces.push({ subset: 0, addressType: 'IPv4', endpoints: [], ports: [] });
  }
  return pieces.map((piece) => ({
    namespace,
    name:
      pieces.length === 1
        ? `endpoints/${name}`
        : `endpoints/${name}/${piece.subset}-${piece.addressType.toLowerCase()}`,
    serviceName: name,
    addressType: piece.addressType,
    endpoints: piece.endpoints,
    ports: piece.ports,
    fromEndpoints: true,
  }));
}

function readSubset(reader: FieldReader, value: unknown, index: number): Piece[] {
  const path = ['subsets', index];
  const subset = reader.map(value, path);
  if (subset === undefined) return reader.fail(path, `${formatPath(path)} must be a mapping`);
  const ports = readPorts(reader, subset.ports, [...path, 'ports'], false);
  const byFamily: Record<AddressType, EndpointInfo[]> = { IPv4: [], IPv6: [] };
  for (const [field, ready] of [['addresses', true], ['notReadyAddresses', false]] as const) {
    reader.list(subset[field], [...path, field]).forEach((entry, at) => {
      const endpoint = readEndpointAddress(reader, entry, [...path, field, at], ready);
      byFamily[isIP(endpoint.addresses[0]) === 6 ? 'IPv6' : 'IPv4'].push(endpoint);
    });
  }
  return (['IPv4', 'IPv6'] as const)
    .filter((family) => byFamily[family].length > 0)
    .map((family) => ({ subset: index, addressType: family, endpoints: byFamily[family], ports }));
}

function readEndpointAddress(
  reader: FieldReader,
  value: unknown,
  path: FieldPath,
  ready: boolean,
): EndpointInfo {
  const entry = reader.map(value, path);
  if (entry === undefined) return reader.fail(path, `${formatPath(path)} must be a mapping`);
  const ip = reader.requiredString(entry.ip, [...path, 'ip']);
  const family = isIP(ip) === 6 ? 'IPv6' : 'IPv4';
  return {
    addresses: [readAddress(reader, ip, [...path, 'ip'], family)],
    hostname: readHostname(reader, entry.hostname, [...path, 'hostname']),
    ready,
    podName: readPodName(reader, entry.targetRef, [...path, 'targetRef']),
  };
}
