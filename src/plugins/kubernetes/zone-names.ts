/**
 * Zone names as the kubernetes plugin uses them: lower case, no trailing dot, root ''. Also
 * turns CIDR zone arguments (`10.0.0.0/8`, as CoreDNS accepts) into reverse zones.
 */
import { cidrZone } from '../../config/server-key.js';

/**
 * The normalized zone for a Corefile argument, or null when it is not a name or a CIDR whose
 * prefix falls on a label boundary (/8, /16, /24, /32 for IPv4; multiples of 4 for IPv6).
 */
export function normalizeZone(text: string): string | null {
  if (text.includes('/')) {
    const zone = cidrZone(text);
    return typeof zone === 'string' ? zone : null;
  }
  const lower = text.toLowerCase();
  if (lower === '.' || lower === '') return '';
  const name = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  if (name.split('.').some((label) => label === '' || label.length > 63)) return null;
  return name;
}

/** True for zones inside in-addr.arpa or ip6.arpa (and those two themselves). */
export function isReverseZone(zone: string): boolean {
  return (
    zone === 'in-addr.arpa' ||
    zone === 'ip6.arpa' ||
    zone.endsWith('.in-addr.arpa') ||
    zone.endsWith('.ip6.arpa')
  );
}

/** True when `name` is `zone` or below it. */
export function inZone(name: string, zone: string): boolean {
  if (zone === '') return true;
  if (name === zone) return true;
  return name.endsWith(zone) && name.charCodeAt(name.length - zone.length - 1) === 0x2e;
}

/** The longest of `zones` containing `name`, or undefined. */
export function matchZone(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const zone of zones) {
    if (inZone(name, zone) && (best === undefined || zone.length > best.length)) best = zone;
  }
  return best;
}

/** `label.zone`, or `label` for the root zone. */
export function under(label: string, zone: string): string {
  return zone === '' ? label : `${label}.${zone}`;
}
