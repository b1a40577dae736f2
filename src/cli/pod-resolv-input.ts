/**
 * Reads the inputs of the kubelet model from the command line and files: shared by
 * `resolv-conf` and `lookup --pod`, so both form the same file from the same flags.
 */
import { readFileSync } from 'node:fs';
import { parseHostResolvConf } from '../resolv/host-resolv-conf.js';
import { parsePodDnsSpec } from '../resolv/pod-dns-spec.js';
import { formPodResolvConf, type PodResolvConf } from '../resolv/pod-resolv-conf.js';

export interface PodResolvFlags {
  /** Path of the Pod manifest. */
  readonly pod: string;
  /** kubelet --cluster-dns: comma-separated addresses. */
  readonly clusterDns: string;
  /** kubelet --cluster-domain; a trailing dot is dropped. */
  readonly clusterDomain: string;
  /** kubelet --resolv-conf: the node file, '' for none. */
  readonly hostResolv: string;
}

/** Forms the pod's DNS settings; throws (with file and line) for unreadable or bad input. */
export function formPodResolvFromFiles(flags: PodResolvFlags): PodResolvConf {
  const pod = parsePodDnsSpec(readFileSync(flags.pod, 'utf8'), flags.pod);
  const host =
    flags.hostResolv === ''
      ? null
      : parseHostResolvConf(readFileSync(flags.hostResolv, 'utf8'), flags.hostResolv);
  const clusterDns = flags.clusterDns
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const clusterDomain = flags.clusterDomain.replace(/\.$/, '');
  return formPodResolvConf(pod, { clusterDns, clusterDomain, host });
}
