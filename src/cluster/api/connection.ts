/**
 * The API server's address and the credentials applied to each request, loaded from a
 * kubeconfig, the pod's service account, or a bare endpoint.
 *
 * Kubeconfig parsing, exec plugins and token files use `@kubernetes/client-node`'s own
 * modules. Its `KubeConfig` class is not imported on the common path: its module statically
 * loads the generated API client, which costs about 70 MB of resident memory (measured:
 * RSS +72 MB for `dist/config.js`, +3.3 MB for the modules used here). Only a user entry that
 * needs what those modules lack (an `auth-provider` such as oidc/gcp/azure, basic auth, or a
 * cluster `proxy-url`) loads `KubeConfig` and lets it apply the options.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type https from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';
import { parse as parseYaml } from 'yaml';
import {
  newClusters,
  newContexts,
  newUsers,
  type Cluster,
  type User,
} from '@kubernetes/client-node/dist/config_types.js';
import { ExecAuth } from '@kubernetes/client-node/dist/exec_auth.js';
import { FileAuth } from '@kubernetes/client-node/dist/file_auth.js';
import { ClusterDnsError } from '../../errors.js';
import type { ApiConfig } from './api-config.js';

/** Applies TLS settings and credentials to one request's options. */
type Applier = (options: https.RequestOptions) => Promise<void>;

/** A loaded connection. `apply` never logs; nothing here exposes a credential. */
export interface Connection {
  readonly server: URL;
  /** For logs: how the connection was configured, without secrets. */
  readonly description: Readonly<Record<string, string>>;
  apply: Applier;
}

/** Loads the connection; throws KUBE_CONFIG naming the file and problem. */
export async function loadConnection(config: ApiConfig): Promise<Connection> {
  if (config.kubeconfig) return fromKubeconfig(config.kubeconfig, config.context);
  if (config.inCluster) {
    const { host, port, tokenFile, caFile } = config.inCluster;
    const address = net.isIPv6(host) ? `[${host}]` : host;
    const user: User = { name: 'in-cluster', authProvider: { config: { tokenFile } } };
    const cluster: Cluster = {
      name: 'in-cluster',
      server: `https://${address}:${port}`,
      caFile,
      skipTLSVerify: false,
    };
    return connection(cluster, user, { mode: 'in-cluster' });
  }
  if (config.endpoint) {
    const cluster: Cluster = {
      name: 'endpoint',
      server: config.endpoint,
      skipTLSVerify: false,
    };
    return connection(cluster, { name: 'anonymous' }, { mode: 'endpoint' });
  }
  throw new ClusterDnsError('KUBE_CONFIG', 'no Kubernetes API configuration given');
}

async function fromKubeconfig(file: string, context?: string): Promise<Connection> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw configError(file, `cannot read: ${(err as NodeJS.ErrnoException).code}`, err);
  }
  const entries = parseKubeconfig(file, text, context);
  const { cluster, user } = entries;
  const description = { mode: 'kubeconfig', file, context: entries.context };
  if (needsFullKubeConfig(cluster, user)) {
    return fullKubeConfig(file, entries.context, cluster, description);
  }
  return connection(cluster, user, description);
}

interface Entries {
  readonly cluster: Cluster;
  readonly user: User;
  readonly context: string;
}

function parseKubeconfig(file: string, text: string, wanted?: string): Entries {
  let doc: Record<string, unknown>;
  let contexts;
  let clusters;
  let users;
  try {
    doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
    clusters = newClusters(doc.clusters);
    contexts = newContexts(doc.contexts);
    users = newUsers(doc.users);
  } catch (err) {
    throw configError(file, describeParseError(err), err);
  }
  const name = wanted || String(doc['current-context'] ?? '');
  const context = contexts.find((c) => c.name === name);
  if (!context) throw configError(file, `context "${name}" not found`);
  const cluster = clusters.find((c) => c.name === context.cluster);
  if (!cluster) throw configError(file, `cluster "${context.cluster}" not found`);
  const user = users.find((u) => u.name === context.user) ?? { name: '' };
  const base = path.dirname(file);
  const absolute = (p?: string) => (p && !path.isAbsolute(p) ? path.join(base, p) : p);
  return {
    context: name,
    cluster: { ...cluster, caFile: absolute(cluster.caFile) },
    user: { ...user, certFile: absolute(user.certFile), keyFile: absolute(user.keyFile) },
  };
}

function needsFullKubeConfig(cluster: Cluster, user: User): boolean {
  if (cluster.proxyUrl || user.username) return true;
  const provider = user.authProvider as { name?: string; config?: Record<string, unknown> };
  if (!provider) return false;
  return !provider.config?.tokenFile && !provider.config?.exec && provider.name !== 'exec';
}

/** The lightweight path: TLS from the cluster and user entries, then the token source. */
function connection(
  cluster: Cluster,
  user: User,
  description: Record<string, string>,
): Connection {
  const server = parseServer(cluster.server);
  const tls = tlsOptions(cluster, user);
  const exec = new ExecAuth();
  const file = new FileAuth();
  const token = user.token?.trim();
  const apply: Applier = async (options) => {
    Object.assign(options, tls);
    const headers: OutgoingHttpHeaders = { ...(options.headers as OutgoingHttpHeaders) };
    options.headers = headers;
    if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    if (exec.isAuthProvider(user)) await exec.applyAuthentication(user, options);
    else if (file.isAuthProvider(user)) await file.applyAuthentication(user, options);
    if (token) headers.Authorization = `Bearer ${token}`;
    trimAuthorization(options);
  };
  return { server, description: { ...description, server: server.origin }, apply };
}

function tlsOptions(cluster: Cluster, user: User): https.RequestOptions {
  const options: https.RequestOptions = {};
  if (cluster.skipTLSVerify) options.rejectUnauthorized = false;
  if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
  const ca = fileOrData(cluster.caFile, cluster.caData);
  const cert = fileOrData(user.certFile, user.certData);
  const key = fileOrData(user.keyFile, user.keyData);
  if (ca) options.ca = ca;
  if (cert) options.cert = cert;
  if (key) options.key = key;
  return options;
}

/** Token files end in a newline more often than not; a header must not. */
function trimAuthorization(options: https.RequestOptions): void {
  const headers = options.headers as OutgoingHttpHeaders | undefined;
  const value = headers?.Authorization;
  if (typeof value === 'string' && headers) headers.Authorization = value.trim();
}

function fileOrData(file?: string | null, data?: string | null): Buffer | undefined {
  if (file) {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw configError(file, `cannot read: ${(err as NodeJS.ErrnoException).code}`, err);
    }
  }
  return data ? Buffer.from(data, 'base64') : undefined;
}

/** The rare path: client-node's full KubeConfig, loaded only when needed (see top). */
async function fullKubeConfig(
  file: string,
  context: string,
  cluster: Cluster,
  description: Record<string, string>,
): Promise<Connection> {
  const { KubeConfig } = await import('@kubernetes/client-node/dist/config.js');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
    kc.setCurrentContext(context);
  } catch (err) {
    throw configError(file, describeParseError(err), err);
  }
  const server = parseServer(cluster.server);
  const apply: Applier = async (options) => {
    await kc.applyToHTTPSOptions(options);
    trimAuthorization(options);
  };
  return { server, description: { ...description, server: server.origin, full: 'yes' }, apply };
}

function parseServer(server: string): URL {
  try {
    return new URL(server);
  } catch (err) {
    throw new ClusterDnsError('KUBE_CONFIG', `invalid API server address "${server}"`, {
      cause: err,
    });
  }
}

/**
 * YAML errors quote the offending source text, which may hold a token or key: report only
 * the position. Entry errors from client-node name the entry, never a value.
 */
function describeParseError(err: unknown): string {
  const position = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  const mark = (err as { mark?: { line: number; column: number } }).mark;
  if (position) return `invalid YAML at line ${position.line}, column ${position.col}`;
  if (mark) return `invalid YAML at line ${mark.line + 1}, column ${mark.column + 1}`;
  return (err as Error).message;
}

function configError(file: string, problem: string, cause?: unknown): ClusterDnsError {
  return new ClusterDnsError('KUBE_CONFIG', `${file}: ${problem}`, { cause });
}
