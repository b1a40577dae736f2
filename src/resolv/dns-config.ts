/**
 * The DNS settings the kubelet hands to the container runtime for a pod (CRI `DNSConfig`):
 * nameservers, search domains and options, each in the order they will be written.
 */

export interface DnsConfig {
  readonly nameservers: readonly string[];
  readonly searches: readonly string[];
  /** Each option as written in the file: `ndots:5`, `edns0`. */
  readonly options: readonly string[];
}

export const EMPTY_DNS_CONFIG: DnsConfig = { nameservers: [], searches: [], options: [] };

/**
 * Renders a DnsConfig as the runtime writes `/etc/resolv.conf`: containerd writes the `search`
 * line first, then one `nameserver` line per server, then the `options` line; empty lists
 * write no line (containerd CRI `parseDNSOptions`).
 */
export function renderResolvConf(config: DnsConfig): string {
  let text = '';
  if (config.searches.length > 0) text += `search ${config.searches.join(' ')}\n`;
  for (const server of config.nameservers) text += `nameserver ${server}\n`;
  if (config.options.length > 0) text += `options ${config.options.join(' ')}\n`;
  return text;
}
