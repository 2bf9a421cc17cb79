import type { Registry } from 'prom-client';

/*
 * Metrics for the hot path, registered in the prom-client registry as custom
 * metrics. prom-client's label children build a hash string and a label
 * object on every inc/observe; these children are plain objects holding
 * their numbers, so recording is arithmetic only. The cost moves to the
 * scrape, which builds the samples.
 */

type Labels = Readonly<Record<string, string>>;
interface Sample {
  readonly metricName?: string;
  readonly labels: Labels;
  readonly value: number;
}

abstract class LeanMetric<C> {
  readonly aggregator = 'sum';
  protected readonly children = new Map<string, C>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The child for these labels, made once: keep it and record through it. */
  child(labels: Labels): C {
    const key = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.make(labels);
      this.children.set(key, child);
    }
    return child;
  }

  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: Sample[];
    aggregator: string;
  }> {
    const values: Sample[] = [];
    for (const child of this.children.values()) this.samples(child, values);
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  protected abstract make(labels: Labels): C;
  protected abstract samples(child: C, into: Sample[]): void;
  abstract reset(): void;
}

export class LeanCounterChild {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class LeanCounter extends LeanMetric<LeanCounterChild> {
  constructor(name: string, help: string, registry: Registry) {
    super(name, help, 'counter', registry);
  }
  protected make(labels: Labels): LeanCounterChild {
    return new LeanCounterChild(labels);
  }
  protected samples(child: LeanCounterChild, into: Sample[]): void {
    into.push({ labels: child.labels, value: child.value });
  }
  reset(): void {
    for (const child of this.children.values()) child.value = 0;
  }
}

export class LeanHistogramChild {
  /** Per bucket, not cumulative; the last one is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count += 1;
  }
}

export class LeanHistogram extends LeanMetric<LeanHistogramChild> {
  constructor(
    name: string,
    help: string,
    readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, 'histogram', registry);
  }
  protected make(labels: Labels): LeanHistogramChild {
    return new LeanHistogramChild(labels, this.bounds);
  }
  protected samples(child: LeanHistogramChild, into: Sample[]): void {
    let cumulative = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      cumulative += child.counts[i] as number;
      const le = i < this.bounds.length ? String(this.bounds[i]) : '+Inf';
      into.push({
        metricName: `${this.name}_bucket`,
        labels: { ...child.labels, le },
        value: cumulative,
      });
    }
    into.push({ metricName: `${this.name}_sum`, labels: child.labels, value: child.sum });
    into.push({ metricName: `${this.name}_count`, labels: child.labels, value: child.count });
  }
  reset(): void {
    for (const child of this.children.values()) {
      child.counts.fill(0);
      child.sum = 0;
      child.count = 0;
    }
  }
}
