/**
 * discovery.k8s.io/v1 EndpointSlice reduced to EndpointSliceInfo.
 */
import { isIP } from 'node:net';
import type { EndpointInfo, EndpointSliceInfo } from './model.js';
import { FieldReader, formatPath, type FieldPath, type JsonMap } from './field-reader.js';
import { isDnsLabel, readMetadata, SERVICE_NAME_LABEL } from './object-meta.js';
import { readPorts } from './strip-ports.js';
import { intern } from './intern.js';

type AddressType = EndpointSliceInfo['addressType'];

/**
 * Strips an EndpointSlice. Returns null for a slice DNS does not use: one without the
 * `kubernetes.io/service-name` label (it belongs to no Service) or with `addressType: FQDN`
 * (deprecated, no defined semantics, never written by the controller).
 */
export function stripEndpointSlice(raw: JsonMap): EndpointSliceInfo | null {
  const reader = new FieldReader('EndpointSlice');
  const { namespace, name } = readMetadata(reader, raw, true, false);
  const labels = reader.map(reader.map(raw.metadata, ['metadata'])?.labels, ['metadata', 'labels']);
  const serviceName = reader.optionalString(labels?.[SERVICE_NAME_LABEL], ['metadata', 'labels']);
  if (serviceName === undefined || serviceName === '') return null;
  const addressType = reader.requiredString(raw.addressType, ['addressType']);
  if (addressType === 'FQDN') return null;
  if (addressType !== 'IPv4' && addressType !== 'IPv6') {
    const reason = `addressType must be IPv4, IPv6 or FQDN, got "${addressType}"`;
    return reader.fail(['addressType'], reason);
  }
  const endpoints = reader
    .list(raw.endpoints, ['endpoints'])
    .map((entry, index) => readEndpoint(reader, entry, ['endpoints', index], addressType));
  return {
    namespace,
    name,
    serviceName: intern(serviceName),
    addressType,
    endpoints,
    ports: readPorts(reader, raw.ports, ['ports'], false),
    fromEndpoints: false,
  };
}

function readEndpoint(
  reader: FieldReader,
  entry: unknown,
  path: FieldPath,
  addressType: AddressType,
): EndpointInfo {
  const endpoint = reader.map(entry, path);
  if (endpoint === undefined) return reader.fail(path, `${formatPath(path)} must be a mapping`);
  const at = [...path, 'addresses'];
  const addresses = reader
    .list(endpoint.addresses, at)
    .map((address, index) => readAddress(reader, address, [...at, index], addressType));
  const conditions = reader.map(endpoint.conditions, [...path, 'conditions']);
  const ready = reader.optionalBoolean(conditions?.ready, [...path, 'conditions', 'ready']);
  return {
    addresses,
    hostname: readHostname(reader, endpoint.hostname, [...path, 'hostname']),
    // Unset `ready` means ready (discovery.k8s.io/v1 EndpointConditions).
    ready: ready ?? true,
    podName: readPodName(reader, endpoint.targetRef, [...path, 'targetRef']),
  };
}

/** One endpoint address, which must be of the slice's (or subset's) address family. */
export function readAddress(
  reader: FieldReader,
  value: unknown,
  path: FieldPath,
  addressType: AddressType,
): string {
  const address = reader.requiredString(value, path);
  const family = isIP(address);
  if (family === 0) {
    return reader.fail(path, `${formatPath(path)} "${address}" is not an IP address`);
  }
  if ((family === 4) !== (addressType === 'IPv4')) {
    return reader.fail(path, `${formatPath(path)} "${address}" is not an ${addressType} address`);
  }
  return address;
}

/** An endpoint hostname: '' when unset, otherwise a DNS label (it becomes one). */
export function readHostname(reader: FieldReader, value: unknown, path: FieldPath): string {
  const hostname = reader.optionalString(value, path) ?? '';
  if (hostname !== '' && !isDnsLabel(hostname)) {
    return reader.fail(path, `${formatPath(path)} "${hostname}" is not a DNS label`);
  }
  return hostname;
}

/** The Pod name of a `targetRef`, '' when the target is not a Pod. */
export function readPodName(reader: FieldReader, value: unknown, path: FieldPath): string {
  const targetRef = reader.map(value, path);
  if (targetRef === undefined) return '';
  const kind = reader.optionalString(targetRef.kind, [...path, 'kind']);
  if (kind !== 'Pod') return '';
  return reader.optionalString(targetRef.name, [...path, 'name']) ?? '';
}
