/**
 * Renders the benchmark chart as SVG with Vega-Lite (compiled to Vega and rendered headless in
 * Node): per server, the median QPS with its range over rounds, the queries per CPU-second,
 * the average latency at full load, and the p99 latency at half of capacity.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ChartRow {
  readonly server: string;
  readonly medianQps: number;
  readonly minQps: number;
  readonly maxQps: number;
  readonly perCpuSecond: number;
  readonly avgMs: number;
  /** NaN when not measured. */
  readonly p99HalfMs: number;
}

/** The SVG text of the chart for `rows`, titled `title`. */
export async function renderChart(rows: readonly ChartRow[], title: string): Promise<string> {
  const values = rows.map((r) => ({
    ...r,
    p99HalfMs: Number.isFinite(r.p99HalfMs) ? r.p99HalfMs : null,
  }));
  const order = rows.map((r) => r.server);
  const y = { field: 'server', type: 'nominal', sort: order, title: null };
  const color = { field: 'server', type: 'nominal', sort: order, legend: null };
  const height = 24 * rows.length;
  const bar = (field: string, title: string) => ({
    mark: { type: 'bar', tooltip: true },
    encoding: { y, color, x: { field, type: 'quantitative', title } },
  });
  const panel = (field: string, title: string) => ({ width: 260, height, ...bar(field, title) });
  const range = {
    mark: { type: 'rule', color: 'black' },
    encoding: { y, x: { field: 'minQps', type: 'quantitative' }, x2: { field: 'maxQps' } },
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    vconcat: [
      {
        hconcat: [
          { width: 260, height, layer: [bar('medianQps', 'QPS (median; line: min-max)'), range] },
          panel('perCpuSecond', 'queries per CPU-second (median)'),
        ],
      },
      {
        hconcat: [
          panel('avgMs', 'average latency at full load (ms)'),
          panel('p99HalfMs', 'p99 latency at half capacity (ms)'),
        ],
      },
    ],
  } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
