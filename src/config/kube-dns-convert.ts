/**
 * Translates a kube-dns ConfigMap (`data.stubDomains`, `data.upstreamNameservers`, both JSON
 * text) into an equivalent Corefile, the way kubeadm migrates clusters from kube-dns: its
 * default root block with the upstreams in `forward`, plus one block per stub domain that
 * forwards that domain to its own nameservers. `data.federations` has no CoreDNS equivalent:
 * it is reported through `warn` and left out.
 */
import { isIP } from 'node:net';
import { LineCounter, parseDocument, isMap, isScalar, type Document } from 'yaml';
import { ConfigError } from '../errors.js';

export interface ConvertOptions {
  /** Lower case, without the trailing dot. */
  readonly clusterDomain: string;
  /** Receives one `FILE:LINE: problem` line per ignored setting; none when absent. */
  readonly warn?: (message: string) => void;
}

/** kube-dns accepts at most three upstream nameservers (resolv.conf's limit). */
const MAX_UPSTREAMS = 3;

/** Returns the Corefile text; throws ConfigError naming the file, key line and the problem. */
export function convertKubeDnsConfigMap(
  yamlText: string,
  file: string,
  options: ConvertOptions,
): string {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new ConfigError(
      'CONFIG_SYNTAX',
      { file, line: first.linePos?.[0].line ?? 0 },
      `not valid YAML: ${first.message.split('\n')[0]}`,
    );
  }
  const data = dataEntries(doc, lines, file);
  if (data.federations) {
    options.warn?.(
      `${file}:${data.federations.line}: data.federations: not supported (CoreDNS has no ` +
        'equivalent); ignored',
    );
  }
  const upstreams = data.upstreamNameservers
    ? parseUpstreams(readJson(data.upstreamNameservers, 'upstreamNameservers', file))
    : [];
  const stubs = data.stubDomains
    ? parseStubs(readJson(data.stubDomains, 'stubDomains', file), options.clusterDomain)
    : [];
  return renderCorefile(options.clusterDomain, upstreams, stubs);
}

interface DataValue {
  readonly text: string;
  readonly line: number;
}

function dataEntries(doc: Document, lines: LineCounter, file: string): Record<string, DataValue> {
  const root = doc.contents;
  if (!isMap(root) || root.get('kind') !== 'ConfigMap') {
    throw new ConfigError(
      'CONFIG_BAD_VALUE',
      { file, line: 1 },
      'not a ConfigMap (kind: ConfigMap)',
    );
  }
  const data = root.get('data', true);
  const out: Record<string, DataValue> = {};
  if (!isMap(data)) return out;
  for (const pair of data.items) {
    if (!isScalar(pair.key) || !isScalar(pair.value)) continue;
    const offset = pair.key.range?.[0] ?? 0;
    out[String(pair.key.value)] = {
      text: String(pair.value.value),
      line: lines.linePos(offset).line,
    };
  }
  return out;
}

interface Located<T> {
  readonly value: T;
  readonly fail: (problem: string) => ConfigError;
}

function readJson(value: DataValue, key: string, file: string): Located<unknown> {
  const fail = (problem: string) =>
    new ConfigError('CONFIG_BAD_VALUE', { file, line: value.line }, `data.${key}: ${problem}`);
  try {
    return { value: JSON.parse(value.text) as unknown, fail };
  } catch (err) {
    throw new ConfigError(
      'CONFIG_BAD_VALUE',
      { file, line: value.line },
      `data.${key}: not valid JSON (${(err as Error).message})`,
      { cause: err },
    );
  }
}

function parseUpstreams({ value, fail }: Located<unknown>): string[] {
  if (!Array.isArray(value)) throw fail('expected a JSON array of nameservers');
  if (value.length > MAX_UPSTREAMS) {
    throw fail(`at most ${MAX_UPSTREAMS} nameservers, got ${value.length}`);
  }
  return value.map((entry) => nameserver(entry, fail));
}

/**
 * Stub domains keyed by zone, lower case without the trailing dot. Two keys naming the same
 * zone would make two server blocks for one zone, and a stub at or under the cluster domain would
 * take the cluster zone away from `kubernetes` (kube-dns never sent cluster names to stubs):
 * both are refused.
 */
function parseStubs(
  { value, fail }: Located<unknown>,
  clusterDomain: string,
): [string, string[]][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('expected a JSON object of domain: [nameservers]');
  }
  const seen = new Map<string, string>();
  return Object.entries(value).map(([domain, servers]) => {
    const zone = domain.toLowerCase().replace(/\.$/, '');
    if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(zone)) throw fail(`"${domain}" is not a domain name`);
    const first = seen.get(zone);
    if (first !== undefined) throw fail(`"${domain}" names the same domain as "${first}"`);
    seen.set(zone, domain);
    if (zone === clusterDomain || zone.endsWith(`.${clusterDomain}`)) {
      const where = zone === clusterDomain ? 'is' : 'is under';
      throw fail(
        `"${domain}" ${where} the cluster domain ${clusterDomain}, which kubernetes serves`,
      );
    }
    if (!Array.isArray(servers) || servers.length === 0) {
      throw fail(`"${domain}": expected a non-empty array of nameservers`);
    }
    return [zone, servers.map((s) => nameserver(s, fail))];
  });
}

/** An `IP` or `IP:PORT` (IPv6 with a port as `[IP]:PORT`), as kube-dns accepts. */
function nameserver(entry: unknown, fail: (problem: string) => ConfigError): string {
  if (typeof entry !== 'string') throw fail(`nameserver ${JSON.stringify(entry)} is not a string`);
  if (isIP(entry)) return entry;
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(entry);
  const ip = match?.[1] ?? match?.[2] ?? '';
  if (!match || !isIP(ip) || Number(match[3]) > 65535 || Number(match[3]) === 0) {
    throw fail(`nameserver "${entry}" is not IP or IP:PORT`);
  }
  return entry;
}

function renderCorefile(
  domain: string,
  upstreams: readonly string[],
  stubs: readonly [string, string[]][],
): string {
  const to = upstreams.length ? upstreams.join(' ') : '/etc/resolv.conf';
  const root = [
    '.:53 {',
    '    errors',
    '    health {',
    '       lameduck 5s',
    '    }',
    '    ready',
    `    kubernetes ${domain} in-addr.arpa ip6.arpa {`,
    '       pods insecure',
    '       fallthrough in-addr.arpa ip6.arpa',
    '       ttl 30',
    '    }',
    '    prometheus :9153',
    `    forward . ${to} {`,
    '       max_concurrent 1000',
    '    }',
    '    cache 30 {',
    `       disable success ${domain}`,
    `       disable denial ${domain}`,
    '    }',
    '    loop',
    '    reload',
    '    loadbalance',
    '}',
  ];
  const blocks = stubs.map(([zone, servers]) =>
    [
      `${zone}:53 {`,
      '    errors',
      '    cache 30',
      '    loop',
      `    forward . ${servers.join(' ')}`,
      '}',
    ].join('\n'),
  );
  return `${[root.join('\n'), ...blocks].join('\n')}\n`;
}
