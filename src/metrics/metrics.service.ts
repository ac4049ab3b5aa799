import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import { LeanHistogram } from './lean-histogram';
import { ANOMALY_SCORE_BUCKETS, BATCH_SIZE_BUCKETS, DURATION_BUCKETS } from './metrics.constants';

/** What triggered a model load. */
export type ReloadTrigger = 'startup' | 'api' | 'signal';

type RequestLabels = 'method' | 'route' | 'status_code';

/**
 * The service's Prometheus metrics, in a registry of its own (so several apps can live in one
 * process, as in tests). The per-request and per-row histograms are {@link LeanHistogram}s with
 * cached children (prom-client's validate-and-hash per observation measurably costs on the
 * request path); counters, gauges and the default process metrics are prom-client's.
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
  private readonly predictions = new Counter<'outcome'>({
    name: 'predictions_total',
    help: 'Scored rows by outcome (anomaly or normal)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly anomalyScores = this.lean(
    new LeanHistogram(
      'anomaly_score',
      'Anomaly score (-score_samples, in (0, 1]) of scored rows',
      ANOMALY_SCORE_BUCKETS,
    ),
  ).labels();
  private readonly batchSizes = this.lean(
    new LeanHistogram(
      'predict_batch_rows',
      'Rows per POST /predict/batch request',
      BATCH_SIZE_BUCKETS,
    ),
  ).labels();
  private readonly modelInfo = new Gauge<'version' | 'sha256' | 'source_format'>({
    name: 'model_info',
    help: 'The model being served (value 1), labelled with its version',
    labelNames: ['version', 'sha256', 'source_format'],
    registers: [this.registry],
  });
  private readonly modelLoaded = new Gauge({
    name: 'model_loaded',
    help: '1 when a model is loaded and serving, else 0',
    registers: [this.registry],
  });
  private readonly reloads = new Counter<'result' | 'trigger'>({
    name: 'model_reloads_total',
    help: 'Model load attempts by result (success or failure) and trigger',
    labelNames: ['result', 'trigger'],
    registers: [this.registry],
  });

  private readonly anomalyCounter = this.predictions.labels('anomaly');
  private readonly normalCounter = this.predictions.labels('normal');

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.modelLoaded.set(0);
  }

  /** Records one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.labels(method, route, status).observe(seconds);
  }

  /** Records one scored row. */
  observePrediction(isAnomaly: boolean, anomalyScore: number): void {
    (isAnomaly ? this.anomalyCounter : this.normalCounter).inc();
    this.anomalyScores.observe(anomalyScore);
  }

  /**
   * Records scored rows from their `score_samples` values (anomaly score = -score) and the
   * decision offset; `batch` also records the row count as one `POST /predict/batch` size.
   */
  observeRows(scores: Float64Array, offset: number, batch: boolean): void {
    let anomalies = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] - offset < 0) anomalies++;
      this.anomalyScores.observe(-scores[i]);
    }
    if (anomalies > 0) this.anomalyCounter.inc(anomalies);
    if (scores.length - anomalies > 0) this.normalCounter.inc(scores.length - anomalies);
    if (batch) this.batchSizes.observe(scores.length);
  }

  /** Registers a {@link LeanHistogram} (it implements prom-client's metric interface). */
  private lean<L extends string>(histogram: LeanHistogram<L>): LeanHistogram<L> {
    this.registry.registerMetric(histogram as unknown as Metric);
    return histogram;
  }

  /** Publishes the serving model (or none). */
  setModel(model: { version: string; sha256: string; sourceFormat: string } | null): void {
    this.modelInfo.reset();
    if (model) {
      this.modelInfo.set(
        { version: model.version, sha256: model.sha256, source_format: model.sourceFormat },
        1,
      );
    }
    this.modelLoaded.set(model ? 1 : 0);
  }

  /** Counts one model load attempt. */
  recordReload(result: 'success' | 'failure', trigger: ReloadTrigger): void {
    this.reloads.inc({ result, trigger });
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content type of {@link render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
