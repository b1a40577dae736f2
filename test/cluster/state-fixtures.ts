/**
 * Small state files for the state-file source tests, written as YAML text the way kubectl
 * prints objects, and helpers to wait for asynchronous effects.
 */
import { rm } from 'node:fs/promises';
import { makeTempDir } from '../helpers/temp-dir.js';

export function service(namespace: string, name: string, ip: string, labels = ''): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
  labels: {${labels}}
spec:
  clusterIP: ${ip}
  ports:
  - name: http
    port: 80
    protocol: TCP
`;
}

export function slice(namespace: string, serviceName: string, ip: string): string {
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${serviceName}-x1
  namespace: ${namespace}
  labels:
    kubernetes.io/service-name: ${serviceName}
addressType: IPv4
endpoints:
- addresses: [${ip}]
  conditions: {ready: true}
ports:
- name: http
  port: 8080
  protocol: TCP
`;
}

export function pod(namespace: string, name: string, ip: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
status:
  phase: Running
  podIP: ${ip}
`;
}

export function namespace(name: string, labels = ''): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: {${labels}}
`;
}

/** Documents joined into one multi-document stream. */
export function stream(...documents: string[]): string {
  return documents.join('---\n');
}

const created: string[] = [];

/** A new empty directory, removed by removeTempDirs. */
export async function tempDir(): Promise<string> {
  const dir = makeTempDir('clusterdns-state-');
  created.push(dir);
  return dir;
}

/** Removes the directories made by tempDir (call after the sources reading them closed). */
export async function removeTempDirs(): Promise<void> {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** Resolves once `condition` holds; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
