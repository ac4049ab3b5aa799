import { Inject, Injectable, Optional } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import { LeanHistogram, type HistogramChild } from './lean-histogram';
import {
  ANOMALY_SCORE_BUCKETS,
  BATCH_SIZE_BUCKETS,
  DURATION_BUCKETS,
  METRICS_POOL,
  MAX_MODEL_LABELS,
  OTHER_MODELS,
} from './metrics.constants';

/**
 * How a pool worker's `GET /metrics` reaches the primary, which gathers every worker's registry
 * and renders the sum (absent in a single process).
 */
export interface MetricsPoolPort {
  /** This worker's `worker` label on the default process metrics (`"1"` .. `"N"`). */
  readonly workerLabel: string;
  /** The Prometheus text of the whole pool. */
  scrape(): Promise<string>;
}

/** What triggered a model load. */
export type ReloadTrigger = 'startup' | 'api' | 'signal';

type RequestLabels = 'method' | 'route' | 'status_code';

/** One loaded model version, as `model_info` shows it. */
export interface ModelInfoLabels {
  /** Repository version. */
  readonly version: number;
  /** The artifact's own version id. */
  readonly modelVersion: string;
  readonly sha256: string;
  readonly sourceFormat: string;
}

/** The cached metric children of one model label. */
interface ModelSeries {
  readonly anomalies: Counter.Internal;
  readonly normals: Counter.Internal;
  readonly scores: HistogramChild;
}

/**
 * The service's Prometheus metrics, in a registry of its own (so several apps can live in one
 * process, as in tests). The per-request and per-row histograms are {@link LeanHistogram}s with
 * cached children (prom-client's validate-and-hash per observation measurably costs on the
 * request path); counters, gauges and the default process metrics are prom-client's.
 *
 * In a worker pool, `GET /metrics` renders the pool's sum (prom-client's aggregation, done by the
 * primary): counters and histograms add up over workers, the default process metrics carry a
 * `worker` label each, `model_loaded` is the minimum over workers, and the primary counts reloads.
 */
@Injectable()
export class MetricsService {
  /** The registry `GET /metrics` renders. */
  readonly registry = new Registry();

  private readonly requestDuration = this.lean(
    new LeanHistogram<RequestLabels>(
      'http_request_duration_seconds',
      'HTTP request duration by route and status code',
      DURATION_BUCKETS,
      ['method', 'route', 'status_code'],
    ),
  );
  private readonly predictions = new Counter<'model' | 'outcome'>({
    name: 'predictions_total',
    help: 'Scored rows by model and outcome (anomaly or normal)',
    labelNames: ['model', 'outcome'],
    registers: [this.registry],
  });
  private readonly anomalyScores = this.lean(
    new LeanHistogram<'model'>(
      'anomaly_score',
      'Anomaly score (-score_samples, in (0, 1]) of scored rows, by model',
      ANOMALY_SCORE_BUCKETS,
      ['model'],
    ),
  );
  private readonly batchSizes = this.lean(
    new LeanHistogram(
      'predict_batch_rows',
      'Rows per POST /predict/batch request',
      BATCH_SIZE_BUCKETS,
    ),
  ).labels();
  private readonly modelInfo = new Gauge<
    'model' | 'version' | 'model_version' | 'sha256' | 'source_format'
  >({
    name: 'model_info',
    help: 'Each loaded model version (value 1): repository version and the artifact version id',
    labelNames: ['model', 'version', 'model_version', 'sha256', 'source_format'],
    registers: [this.registry],
    aggregator: 'max',
  });
  private readonly modelLoaded = new Gauge<'model'>({
    name: 'model_loaded',
    help: '1 when the model serves requests without a version (its highest version is loaded; on every worker of a pool), else 0',
    labelNames: ['model'],
    registers: [this.registry],
    aggregator: 'min',
  });
  private readonly reloads = new Counter<'model' | 'result' | 'trigger'>({
    name: 'model_reloads_total',
    help: 'Model load attempts by model, result (success or failure) and trigger',
    labelNames: ['model', 'result', 'trigger'],
    registers: [this.registry],
  });

  private readonly series = new Map<string, ModelSeries>();
  /** The `model_info` label sets published per model label, to remove them on the next change. */
  private readonly infoKeys = new Map<
    string,
    Record<'model' | 'version' | 'model_version' | 'sha256' | 'source_format', string>[]
  >();
  private readonly labelled = new Set<string>();

  constructor(
    @Optional() @Inject(METRICS_POOL) private readonly pool: MetricsPoolPort | null = null,
  ) {
    collectDefaultMetrics(
      pool === null
        ? { register: this.registry }
        : { register: this.registry, labels: { worker: pool.workerLabel } },
    );
  }

  /** Records one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.labels(method, route, status).observe(seconds);
  }

  /** Records one scored row of `model`. */
  observePrediction(model: string, isAnomaly: boolean, anomalyScore: number): void {
    const series = this.seriesOf(model);
    (isAnomaly ? series.anomalies : series.normals).inc();
    series.scores.observe(anomalyScore);
  }

  /**
   * Records scored rows of `model` from their `score_samples` values (anomaly score = -score)
   * and the decision offset; `batch` also records the row count as one `POST /predict/batch`
   * size.
   */
  observeRows(model: string, scores: Float64Array, offset: number, batch: boolean): void {
    const series = this.seriesOf(model);
    let anomalies = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] - offset < 0) anomalies++;
      series.scores.observe(-scores[i]);
    }
    if (anomalies > 0) series.anomalies.inc(anomalies);
    if (scores.length - anomalies > 0) series.normals.inc(scores.length - anomalies);
    if (batch) this.batchSizes.observe(scores.length);
  }

  /**
   * The `model` label value for `name`: itself for the first {@link MAX_MODEL_LABELS} names
   * seen, {@link OTHER_MODELS} after that.
   */
  modelLabel(name: string): string {
    if (this.labelled.has(name)) return name;
    if (this.labelled.size >= MAX_MODEL_LABELS) return OTHER_MODELS;
    this.labelled.add(name);
    return name;
  }

  private seriesOf(model: string): ModelSeries {
    let series = this.series.get(model);
    if (series === undefined) {
      const label = this.modelLabel(model);
      series = {
        anomalies: this.predictions.labels(label, 'anomaly'),
        normals: this.predictions.labels(label, 'normal'),
        scores: this.anomalyScores.labels(label),
      };
      this.series.set(model, series);
    }
    return series;
  }

  /** Registers a {@link LeanHistogram} (it implements prom-client's metric interface). */
  private lean<L extends string>(histogram: LeanHistogram<L>): LeanHistogram<L> {
    this.registry.registerMetric(histogram as unknown as Metric);
    return histogram;
  }

  /**
   * Publishes the state of model `name`: its loaded versions (`model_info`, one series each)
   * and whether it serves requests without a version (`model_loaded`).
   */
  setModel(name: string, loaded: readonly ModelInfoLabels[], serving: boolean): void {
    const model = this.modelLabel(name);
    for (const key of this.infoKeys.get(model) ?? []) this.modelInfo.remove(key);
    const keys = loaded.map((v) => ({
      model,
      version: String(v.version),
      model_version: v.modelVersion,
      sha256: v.sha256,
      source_format: v.sourceFormat,
    }));
    for (const key of keys) this.modelInfo.set(key, 1);
    this.infoKeys.set(model, keys);
    this.modelLoaded.set({ model }, serving ? 1 : 0);
  }

  /** Counts one load attempt of model `name`. */
  recordReload(result: 'success' | 'failure', trigger: ReloadTrigger, name: string): void {
    // In a pool the primary counts each load once; every worker installing it must not.
    if (this.pool !== null) return;
    this.reloads.inc({ model: this.modelLabel(name), result, trigger });
  }

  /** The Prometheus text exposition of every metric (of every worker in a pool). */
  render(): Promise<string> {
    return this.pool === null ? this.registry.metrics() : this.pool.scrape();
  }

  /** Content type of {@link render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
