/**
 * Pods by namespace/name and by IP: what `pods verified` and `autopath` need to know about a
 * pod, nothing more.
 */
import type { PodInfo } from '../cluster/model.js';
import { canonicalIp } from './ip-names.js';

/** The pod found for an IP address. */
export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly hostNetwork: boolean;
}

export class PodIndex {
  private readonly byName = new Map<string, Map<string, PodInfo>>();
  // One pod per IP nearly always; an array only while an IP is shared (host-network pods share
  // their node's IP) or being reused by a new pod before the old one is deleted.
  private readonly byIp = new Map<string, PodInfo | PodInfo[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  upsert(pod: PodInfo): void {
    this.remove(pod.namespace, pod.name);
    let names = this.byName.get(pod.namespace);
    if (!names) this.byName.set(pod.namespace, (names = new Map()));
    names.set(pod.name, pod);
    this.count++;
    for (const ip of pod.ips) this.addIp(canonicalIp(ip), pod);
  }

  remove(namespace: string, name: string): void {
    const names = this.byName.get(namespace);
    const pod = names?.get(name);
    if (!names || !pod) return;
    names.delete(name);
    if (names.size === 0) this.byName.delete(namespace);
    this.count--;
    for (const ip of pod.ips) this.removeIp(canonicalIp(ip), pod);
  }

  clear(): void {
    this.byName.clear();
    this.byIp.clear();
    this.count = 0;
  }

  /**
   * The pod using `ip` (canonical text). When several do, the most recently added pod that is
   * not on the host network wins: a pod IP is reused only after its old pod is gone, while a
   * node IP is shared by all of that node's host-network pods.
   */
  byAddress(ip: string): PodRef | undefined {
    const found = this.byIp.get(ip);
    if (found === undefined || !Array.isArray(found)) return found;
    for (let i = found.length - 1; i >= 0; i--) if (!found[i].hostNetwork) return found[i];
    return found[found.length - 1];
  }

  /** True when a pod in `namespace` has the address `ip` (canonical text). */
  existsIn(namespace: string, ip: string): boolean {
    const found = this.byIp.get(ip);
    if (found === undefined) return false;
    if (!Array.isArray(found)) return found.namespace === namespace;
    return found.some((pod) => pod.namespace === namespace);
  }

  private addIp(ip: string, pod: PodInfo): void {
    const found = this.byIp.get(ip);
    if (found === undefined) this.byIp.set(ip, pod);
    else if (Array.isArray(found)) found.push(pod);
    else this.byIp.set(ip, [found, pod]);
  }

  private removeIp(ip: string, pod: PodInfo): void {
    const found = this.byIp.get(ip);
    if (found === pod) {
      this.byIp.delete(ip);
      return;
    }
    if (!Array.isArray(found)) return;
    const rest = found.filter((p) => p !== pod);
    if (rest.length === 0) this.byIp.delete(ip);
    else this.byIp.set(ip, rest.length === 1 ? rest[0] : rest);
  }
}
