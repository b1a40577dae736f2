/**
 * Where the Kubernetes API connection comes from, resolved once at the config/CLI layer.
 *
 * The CLI (or the kubernetes plugin's setup) calls `resolveApiConfig` with its flags and the
 * process environment; everything below that layer receives the frozen result and never reads
 * `process.env` itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ClusterDnsError } from '../../errors.js';

/** Paths a pod's service account is mounted at (Kubernetes "Accessing the API from a Pod"). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** In-cluster settings: the API's address from the pod environment, token and CA files. */
export interface InClusterConfig {
  readonly host: string;
  readonly port: string;
  readonly tokenFile: string;
  readonly caFile: string;
}

/**
 * How ApiSource connects. Exactly one way is used, in this order: `kubeconfig` (with an
 * optional `context`; its cluster address wins over `endpoint`), else `inCluster`, else
 * `endpoint` alone (no credentials: `kubectl proxy` or an anonymous API).
 */
export interface ApiConfig {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly endpoint?: string;
  readonly inCluster?: InClusterConfig;
}

/** What resolution reads from the environment; pass `process.env` from the CLI layer. */
export interface ApiEnvironment {
  readonly KUBECONFIG?: string;
  readonly HOME?: string;
  readonly KUBERNETES_SERVICE_HOST?: string;
  readonly KUBERNETES_SERVICE_PORT?: string;
}

/**
 * Fills in the connection from flags and environment like kubectl does: an explicit
 * kubeconfig path; else the first file of `KUBECONFIG`; else `~/.kube/config` when it
 * exists; else in-cluster when `KUBERNETES_SERVICE_HOST` is set. An explicit `endpoint`
 * without a kubeconfig disables the kubeconfig and in-cluster fallbacks (CoreDNS's rule).
 * Throws KUBE_CONFIG when nothing applies.
 */
export function resolveApiConfig(
  flags: { kubeconfig?: string; context?: string; endpoint?: string },
  env: ApiEnvironment,
  exists: (file: string) => boolean = fs.existsSync,
): ApiConfig {
  if (flags.kubeconfig) return { kubeconfig: flags.kubeconfig, context: flags.context };
  if (flags.endpoint) return { endpoint: flags.endpoint };
  const fromEnv = env.KUBECONFIG?.split(path.delimiter).find((file) => file !== '');
  if (fromEnv) return { kubeconfig: fromEnv, context: flags.context };
  const home = env.HOME ? path.join(env.HOME, '.kube', 'config') : '';
  if (home && exists(home)) return { kubeconfig: home, context: flags.context };
  if (env.KUBERNETES_SERVICE_HOST) {
    return {
      inCluster: {
        host: env.KUBERNETES_SERVICE_HOST,
        port: env.KUBERNETES_SERVICE_PORT ?? '443',
        tokenFile: path.join(SERVICE_ACCOUNT_DIR, 'token'),
        caFile: path.join(SERVICE_ACCOUNT_DIR, 'ca.crt'),
      },
    };
  }
  throw new ClusterDnsError(
    'KUBE_CONFIG',
    'no Kubernetes API configuration: pass --kubeconfig, set KUBECONFIG, create ' +
      '~/.kube/config, or run in a pod',
  );
}
