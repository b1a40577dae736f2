/**
 * Counter and histogram families for the per-query path, cheaper than prom-client's own.
 *
 * prom-client hashes the label set on every increment, which costs microseconds per query
 * across the six DNS families. Here a caller takes a cell once per label tuple and then only
 * adds to plain numbers; the text exposition is produced at scrape time. The families follow
 * the interface prom-client's Registry reads (`name`, `help`, `type`, `get`, `reset`), so they
 * sit in the same registry and `/metrics` output as every other metric.
 */
import type { Registry } from '../../metrics/registry.js';

interface MetricValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly values: MetricValue[];
  readonly aggregator: 'sum';
}

/** One label tuple's counter. */
export class CounterCell {
  value = 0;

  constructor(readonly labels: Readonly<Record<string, string>>) {}

  inc(): void {
    this.value++;
  }
}

/** One label tuple's histogram: per-bucket (not cumulative) counts, sum and count. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

abstract class Family<Cell> {
  protected readonly cells = new Map<string, Cell>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The cell for these label values (in `labelNames` order), created on first use. */
  cell(...values: string[]): Cell {
    const key = values.join('\u0000');
    let cell = this.cells.get(key);
    if (!cell) {
      const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? '']));
      cell = this.create(labels);
      this.cells.set(key, cell);
    }
    return cell;
  }

  protected abstract create(labels: Record<string, string>): Cell;
}

export class FastCounter extends Family<CounterCell> {
  readonly type = 'counter';

  protected create(labels: Record<string, string>): CounterCell {
    return new CounterCell(labels);
  }

  get(): MetricSnapshot {
    const values = [...this.cells.values()].map((c) => ({ labels: c.labels, value: c.value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }

  reset(): void {
    for (const cell of this.cells.values()) cell.value = 0;
  }
}

export class FastHistogram extends Family<HistogramCell> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  protected create(labels: Record<string, string>): HistogramCell {
    return new HistogramCell(labels, this.bounds);
  }

  get(): MetricSnapshot {
    const values: MetricValue[] = [];
    for (const cell of this.cells.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += cell.counts[i];
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...cell.labels, le: bound },
          value: cumulative,
        });
      });
      const total = cumulative + cell.counts[this.bounds.length];
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { ...cell.labels, le: '+Inf' },
        value: total,
      });
      values.push({ metricName: `${this.name}_sum`, labels: cell.labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels: cell.labels, value: cell.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }

  reset(): void {
    for (const cell of this.cells.values()) {
      cell.counts.fill(0);
      cell.sum = 0;
      cell.count = 0;
    }
  }
}

/** Gets the family registered under its name, or registers this one (once per process). */
export function register<T extends FastCounter | FastHistogram>(registry: Registry, family: T): T {
  const existing = registry.getSingleMetric(family.name) as unknown;
  if (existing instanceof family.constructor) return existing as T;
  if (existing) throw new Error(`metric ${family.name} is already registered with another type`);
  registry.registerMetric(family as never);
  return family;
}
