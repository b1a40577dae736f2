/**
 * The limits the kubelet applies to a pod's merged DNS settings before handing them to the
 * runtime (kubelet `formDNSConfigFitsLimits`; constants from the API validation package, the
 * values since Kubernetes 1.28 / ExpandedDNSConfig GA).
 */

export const MAX_NAMESERVERS = 3;
export const MAX_SEARCH_DOMAINS = 32;
export const MAX_SEARCH_LINE_CHARS = 2048;
/** A DNS-1123 subdomain's maximum length; longer search entries can abort glibc 2.28. */
export const MAX_SEARCH_DOMAIN_CHARS = 253;

export interface Trimmed {
  readonly kept: readonly string[];
  readonly dropped: readonly string[];
}

/** Keeps the first three nameservers. */
export function fitNameservers(nameservers: readonly string[]): Trimmed {
  return {
    kept: nameservers.slice(0, MAX_NAMESERVERS),
    dropped: nameservers.slice(MAX_NAMESERVERS),
  };
}

/**
 * Trims a search list in the kubelet's three steps: keep the first 32 entries; drop every
 * entry longer than 253 characters; then, while the space-joined line is over 2048
 * characters, drop entries from the end. `dropped` lists what went, in list order.
 */
export function fitSearches(searches: readonly string[]): Trimmed {
  const kept = searches
    .slice(0, MAX_SEARCH_DOMAINS)
    .filter((domain) => domain.length <= MAX_SEARCH_DOMAIN_CHARS);
  let lineLength = kept.join(' ').length;
  while (lineLength > MAX_SEARCH_LINE_CHARS && kept.length > 0) {
    lineLength -= (kept.pop() as string).length + 1;
  }
  const dropped = searches.filter((domain, i) => i >= MAX_SEARCH_DOMAINS || !kept.includes(domain));
  return { kept, dropped };
}
