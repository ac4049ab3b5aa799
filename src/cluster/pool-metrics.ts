import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ReloadTrigger } from '../metrics/metrics.service';
import type { MetricsSnapshot } from './pool-protocol';

/** The label that tells the pool's processes apart on the default process metrics. */
export const WORKER_LABEL = 'worker';

/**
 * The primary's own metrics: the pool's state, worker restarts and model reloads (the primary
 * runs every load in a pool, so it counts them once, not once per worker), and its own process
 * metrics labelled `worker="primary"`.
 */
export class PrimaryMetrics {
  /** The primary's registry, merged into every scrape. */
  readonly registry = new Registry();

  private readonly serving = new Gauge({
    name: 'pool_workers_serving',
    help: 'Workers of the pool serving HTTP',
    registers: [this.registry],
  });
  private readonly size = new Gauge({
    name: 'pool_workers',
    help: 'Workers the pool is configured for (WORKERS)',
    registers: [this.registry],
  });
  private readonly restarts = new Counter({
    name: 'pool_worker_restarts_total',
    help: 'Workers that died and were replaced',
    registers: [this.registry],
  });
  private readonly reloads = new Counter<'model' | 'result' | 'trigger'>({
    name: 'model_reloads_total',
    help: 'Model load attempts by model, result (success or failure) and trigger',
    labelNames: ['model', 'result', 'trigger'],
    registers: [this.registry],
  });

  constructor(size: number) {
    collectDefaultMetrics({ register: this.registry, labels: { [WORKER_LABEL]: 'primary' } });
    this.size.set(size);
    this.serving.set(0);
  }

  /** Publishes how many workers serve. */
  setServing(count: number): void {
    this.serving.set(count);
  }

  /** Counts a replaced worker. */
  recordRestart(): void {
    this.restarts.inc();
  }

  /** Counts one load attempt of model `name` (the pool's models are the repository's, bounded). */
  recordReload(result: 'success' | 'failure', trigger: ReloadTrigger, name: string): void {
    this.reloads.inc({ model: name, result, trigger });
  }
}

/**
 * The Prometheus text of a pool: every worker's snapshot and the primary's, aggregated with
 * prom-client's `AggregatorRegistry.aggregate` (each metric by its `aggregator`: counters and
 * histograms summed). Metrics whose every sample carries a `worker` label (the default process
 * metrics) are kept per worker: their series never collide, so they are merged by `sum` whatever
 * their own aggregator says (prom-client would otherwise average the event-loop lag and drop
 * `process_start_time_seconds`).
 */
export async function renderPoolMetrics(
  workers: readonly MetricsSnapshot[],
  primary: Registry,
): Promise<string> {
  const snapshots = [...workers, await primary.getMetricsAsJSON()].map((snapshot) =>
    snapshot.map((metric) =>
      metric.values.length > 0 && metric.values.every((v) => WORKER_LABEL in (v.labels ?? {}))
        ? { ...metric, aggregator: 'sum' as const }
        : metric,
    ),
  );
  return AggregatorRegistry.aggregate(snapshots).metrics();
}
