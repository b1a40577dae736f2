/**
 * Reads a V8 CPU profile (`node --cpu-prof` output) and totals where the time went: self time
 * and inclusive time per function, and self time per area of the code (clusterdns source
 * folders, dependencies, Node internals, GC).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface FunctionTime {
  /** `name (file:line)`, the file relative to the repository when it is ours. */
  readonly label: string;
  readonly area: string;
  readonly selfMs: number;
  readonly totalMs: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Time in samples that were not idle; the shares below are of this. */
  readonly busyMs: number;
  readonly functions: readonly FunctionTime[];
  /** Self time per area, largest first. */
  readonly areas: readonly { readonly area: string; readonly selfMs: number }[];
}

/**
 * Summarizes the profile in `file`, leaving out the first `skipMs` of it (start-up and the
 * first load of the state, which are not the answer path). `root` is the compiled tree the
 * profiled code ran from, so that its files are named relative to it.
 */
export function summarizeProfile(file: string, root: string, skipMs = 0): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const rootUrl = pathToFileURL(root).href + '/';
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areaOf = new Map<string, string>();
  const labelOf = (node: ProfileNode): string => label(node, rootUrl);
  const areaFor = (node: ProfileNode): string => area(node, rootUrl);
  let elapsedMs = 0;
  let totalMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    elapsedMs += ms;
    const node = byId.get(id);
    if (node === undefined || elapsedMs < skipMs) return;
    totalMs += ms;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    const leaf = labelOf(node);
    self.set(leaf, (self.get(leaf) ?? 0) + ms);
    areaOf.set(leaf, areaFor(node));
    // Inclusive time: each function once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const label = labelOf(byId.get(at) as ProfileNode);
      if (seen.has(label)) continue;
      seen.add(label);
      total.set(label, (total.get(label) ?? 0) + ms);
      if (!areaOf.has(label)) areaOf.set(label, areaFor(byId.get(at) as ProfileNode));
    }
  });
  const functions = [...total.keys()].map((label) => ({
    label,
    area: areaOf.get(label) ?? '',
    selfMs: self.get(label) ?? 0,
    totalMs: total.get(label) ?? 0,
  }));
  const areas = new Map<string, number>();
  for (const f of functions) areas.set(f.area, (areas.get(f.area) ?? 0) + f.selfMs);
  return {
    totalMs,
    busyMs: totalMs - idleMs,
    functions,
    areas: [...areas]
      .map(([area, selfMs]) => ({ area, selfMs }))
      .sort((a, b) => b.selfMs - a.selfMs),
  };
}

function label(node: ProfileNode, rootUrl: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  return `${name} (${shortUrl(url, rootUrl)}:${lineNumber + 1})`;
}

function shortUrl(url: string, rootUrl: string): string {
  if (url.startsWith(rootUrl)) return url.slice(rootUrl.length);
  const dep = /node_modules\/(.*)$/.exec(url);
  return dep !== null ? dep[1] : url.replace(/^file:\/\//, '');
}

/**
 * The area a function belongs to: a clusterdns folder (`src/wire`, `src/plugins/cache`), a
 * dependency, Node.js internals, or V8 (GC, native code).
 */
function area(node: ProfileNode, rootUrl: string): string {
  const { url, functionName } = node.callFrame;
  if (url.startsWith(rootUrl)) {
    const parts = url.slice(rootUrl.length).split('/').slice(0, -1);
    return parts.slice(0, parts[1] === 'plugins' ? 3 : 2).join('/') || 'top level';
  }
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep !== null) return `dependency ${dep[1]}`;
  if (url.startsWith('node:')) return 'Node.js internals';
  if (url === '') return functionName.startsWith('(') ? functionName : 'V8/native';
  return 'other';
}
