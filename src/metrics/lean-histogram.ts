/** One label combination's buckets. */
export interface HistogramChild {
  /** Records one value. */
  observe(value: number): void;
}

/** A sample line as prom-client's registry renders it. */
interface Sample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName: string;
}

class Buckets implements HistogramChild {
  /** Non-cumulative counts; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    private readonly bounds: Float64Array,
    readonly labels: Readonly<Record<string, string | number>>,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

/**
 * A Prometheus histogram for the request path: a labelled child is looked up once per label
 * combination (then kept), and `observe` is a short bucket scan plus three additions, no label
 * validation or hashing per call. It renders through prom-client's registry exactly like a
 * prom-client `Histogram` (`_bucket{le}` cumulative, `_sum`, `_count`).
 */
export class LeanHistogram<L extends string = never> {
  /** Read by prom-client's registry. */
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: Float64Array;
  private readonly children = new Map<string, Buckets>();

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
    private readonly labelNames: readonly L[] = [],
  ) {
    this.bounds = Float64Array.from(buckets);
  }

  /** The child for `values` (in `labelNames` order); keep it to skip the lookup next time. */
  labels(...values: (string | number)[]): HistogramChild {
    const key = values.join('\u0000');
    let child = this.children.get(key);
    if (child === undefined) {
      const labels: Record<string, string | number> = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i]));
      child = new Buckets(this.bounds, labels);
      this.children.set(key, child);
    }
    return child;
  }

  /** Records a value of the unlabelled histogram. */
  observe(value: number): void {
    this.labels().observe(value);
  }

  /** prom-client's metric interface: the samples to render. */
  get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: Sample[];
  }> {
    const values: Sample[] = [];
    for (const child of this.children.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += child.counts[i];
        values.push({
          value: cumulative,
          labels: { ...child.labels, le: i < this.bounds.length ? this.bounds[i] : '+Inf' },
          metricName: `${this.name}_bucket`,
        });
      }
      values.push({ value: child.sum, labels: child.labels, metricName: `${this.name}_sum` });
      values.push({ value: child.count, labels: child.labels, metricName: `${this.name}_count` });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  /** prom-client's metric interface: forget every observation. */
  reset(): void {
    this.children.clear();
  }
}
