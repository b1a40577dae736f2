/**
 * Draws a flame graph of a V8 CPU profile as SVG with Vega (its `stratify` and `partition`
 * transforms lay out the call tree): each box is a function in a call stack, as wide as the
 * time spent in it and below it; callers at the bottom. Idle time is left out, and frames
 * under `minShare` of the busy time are folded into their caller to keep the drawing legible.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as vega from 'vega';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface FlameDatum {
  id: number;
  parent: number | null;
  name: string;
  /** Self time plus the time of folded descendants, ms. */
  value: number;
  depth: number;
}

const ROW = 16;

// Colour by owner: clusterdns code red, Node.js internals orange, V8 states grey, the rest
// (dependencies, native code) yellow.
const FILL =
  "indexof(datum.name, ' src/') >= 0 ? '#e4572e'" +
  ": indexof(datum.name, 'node:') >= 0 ? '#f2a65a'" +
  ": indexof(datum.name, '(') === 0 ? '#bbbbbb' : '#f3c969'";
const WIDTH = 1200;

/** The SVG text; `skipMs` leaves out the profile's first milliseconds (start-up). */
export async function renderFlameGraph(
  file: string,
  root: string,
  skipMs: number,
  title: string,
  minShare = 0.003,
): Promise<string> {
  const data = flameData(file, root, skipMs, minShare);
  const depth = Math.max(...data.map((d) => d.depth)) + 1;
  const height = depth * ROW;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: WIDTH,
    height,
    padding: 5,
    title: { text: title, anchor: 'start' },
    data: [
      {
        name: 'tree',
        values: data,
        transform: [
          { type: 'stratify', key: 'id', parentKey: 'parent' },
          { type: 'partition', field: 'value', sort: { field: 'name' }, size: [WIDTH, height] },
        ],
      },
    ],
    marks: [
      {
        type: 'rect',
        from: { data: 'tree' },
        encode: {
          enter: {
            x: { field: 'x0' },
            x2: { field: 'x1' },
            y: { signal: `${height} - datum.y1` },
            y2: { signal: `${height} - datum.y0 - 1` },
            fill: { signal: FILL },
            stroke: { value: 'white' },
            tooltip: { field: 'name' },
          },
        },
      },
      {
        type: 'text',
        from: { data: 'tree' },
        encode: {
          enter: {
            x: { signal: 'datum.x0 + 3' },
            y: { signal: `${height} - datum.y1 + ${ROW / 2}` },
            baseline: { value: 'middle' },
            fontSize: { value: 10 },
            limit: { signal: 'max(0, datum.x1 - datum.x0 - 6)' },
            text: { signal: "datum.x1 - datum.x0 > 40 ? datum.name : ''" },
          },
        },
      },
    ],
  };
  const view = new vega.View(vega.parse(spec as vega.Spec), { renderer: 'none' });
  return view.toSVG();
}

/** The call tree as flat rows for Vega, with small frames folded into their callers. */
function flameData(file: string, root: string, skipMs: number, minShare: number): FlameDatum[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const rootUrl = pathToFileURL(root).href + '/';
  const self = new Map<number, number>();
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    elapsed += (profile.timeDeltas[i] ?? 0) / 1000;
    if (elapsed >= skipMs) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = new Map<number, number>();
  const sum = (node: ProfileNode): number => {
    if (node.callFrame.functionName === '(idle)') return 0;
    let t = self.get(node.id) ?? 0;
    for (const c of node.children ?? []) t += sum(byId.get(c) as ProfileNode);
    total.set(node.id, t);
    return t;
  };
  const top = profile.nodes[0];
  const busy = sum(top);
  const rows: FlameDatum[] = [];
  const visit = (node: ProfileNode, parent: number | null, depth: number): number => {
    const row = { id: node.id, parent, name: frameName(node, rootUrl), value: 0, depth };
    rows.push(row);
    let folded = self.get(node.id) ?? 0;
    for (const c of node.children ?? []) {
      const child = byId.get(c) as ProfileNode;
      const t = total.get(c) ?? 0;
      if (t >= busy * minShare) visit(child, node.id, depth + 1);
      else folded += t;
    }
    row.value = folded;
    return folded;
  };
  visit(top, null, 0);
  return rows;
}

function frameName(node: ProfileNode, rootUrl: string): string {
  const { functionName, url } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  const file = url.startsWith(rootUrl)
    ? url.slice(rootUrl.length)
    : (/node_modules\/(.*)$/.exec(url)?.[1] ?? url.replace(/^file:\/\//, ''));
  return `${name} ${file}`;
}
