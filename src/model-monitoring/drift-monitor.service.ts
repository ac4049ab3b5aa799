import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Gauge } from 'prom-client';
import { missingReferenceReason } from '../artifact/missing-reference-reason';
import type { AppConfig } from '../config';
import { MetricsService } from '../metrics/metrics.service';
import { ModelRegistry } from '../model/model-registry';
import type { ServingModel } from '../model/serving-model';
import { DriftWindow } from '../monitoring/drift-window';
import { summarizeDrift, type DriftSummary } from '../monitoring/drift-summary';
import { buildReportInput, featureNamesOf } from '../report/build-report-input';
import { renderReportHtml } from '../report/render-report-html';
import type { ScoreObserver } from '../scoring/score-observer';
import type { ScoredRows } from '../scoring/scored-rows';
import { ScoringService } from '../scoring/scoring.service';
import { AnomalyPercentileOutput } from './anomaly-percentile.output';
import type { ModelMonitoringDto } from './dto/model-monitoring.dto';

/** `model_drift_status` values. */
const STATUS_VALUE = { ok: 0, drift: 1, insufficient_data: -1 } as const;

/**
 * Live monitoring of every served model: registers `anomaly_percentile` as an extra output of
 * the scoring service, observes every scored row into a fixed-memory {@link DriftWindow} per
 * model version (a reload starts a fresh window, since the reference changes with the model),
 * and answers `GET /model/monitoring`, `GET /model/report` and the drift gauges of `/metrics`.
 *
 * Windows are per process: with several workers, each counts the rows it scored.
 */
@Injectable()
export class DriftMonitor implements ScoreObserver, OnModuleInit {
  /**
   * One window per served model object: a reload swaps in a new `ServingModel` (with a new
   * reference), which gets a new window; the old one goes with the old model.
   */
  private readonly windows = new WeakMap<ServingModel, DriftWindow>();
  private readonly settings: AppConfig['monitoring'];

  constructor(
    private readonly scoring: ScoringService,
    private readonly registry: ModelRegistry,
    private readonly metrics: MetricsService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('monitoring', { infer: true });
  }

  /** Registers the percentile output, the observer (unless MONITOR_WINDOW_ROWS is 0) and the gauges. */
  onModuleInit(): void {
    this.scoring.addOutput(new AnomalyPercentileOutput());
    if (this.settings.windowRows > 0) this.scoring.addObserver(this);
    this.registerGauges();
  }

  /** Counts the call's rows into the window of the model that scored them (a few increments per row). */
  observe(scored: ScoredRows): void {
    const model = scored.model;
    const window = this.windows.get(model) ?? this.windowOf(model);
    if (window === null) return;
    window.observeRows(scored.x.data, scored.scores, model.artifact.offset, Date.now());
  }

  /**
   * `GET /model/monitoring` for the serving version of `name` (the default model when omitted).
   *
   * @throws ModelNotFoundError / ModelUnavailableError as `ModelRegistry.get`.
   */
  monitoring(name?: string): ModelMonitoringDto {
    const model = this.registry.get(name);
    const artifact = model.artifact;
    const names = featureNamesOf(artifact);
    const thresholds = { psi: this.settings.psiThreshold, min_rows: this.settings.minRows };
    const summary = this.summaryOf(model);
    const window = this.windowOf(model);
    const since = summary?.sinceMs ?? null;
    const head = { model: model.name, model_version: model.modelVersion };
    const windowDto = {
      rows: summary?.rows ?? 0,
      since: since === null ? null : new Date(since).toISOString(),
      capacity: window === null ? this.settings.windowRows : window.windowRows,
    };
    const tail = { thresholds, scope: 'process' as const };
    if (summary === null) {
      const reason =
        missingReferenceReason(artifact) ??
        'monitoring is off (MONITOR_WINDOW_ROWS=0): no rows are counted';
      return {
        ...head,
        status: 'insufficient_data',
        reason,
        window: windowDto,
        anomaly_rate: { observed: null, expected: artifact.reference?.anomalyRate ?? null },
        score: { psi: null, drifting: false },
        features: names.map((n, j) => ({
          name: n,
          psi: null,
          live_mean: null,
          missing_share: null,
          reference_mean: artifact.reference?.features[j].mean ?? null,
          drifting: false,
        })),
        ...tail,
      };
    }
    return {
      ...head,
      status: summary.status,
      reason:
        summary.status === 'insufficient_data'
          ? `${summary.rows} rows in the window; a verdict needs MONITOR_MIN_ROWS = ${this.settings.minRows}`
          : null,
      window: windowDto,
      anomaly_rate: {
        observed: summary.anomalyRateObserved,
        expected: summary.anomalyRateExpected,
      },
      score: { psi: summary.scorePsi, drifting: summary.scoreDrifting },
      features: summary.features.map((f) => ({
        name: f.name,
        psi: f.psi,
        live_mean: f.liveMean,
        missing_share: f.missingShare,
        reference_mean: f.referenceMean,
        drifting: f.drifting,
      })),
      ...tail,
    };
  }

  /** `GET /model/report`: the report page of the serving version of `name`. */
  report(name?: string): string {
    const model = this.registry.get(name);
    const window = this.windowOf(model);
    const capacity = this.settings.windowRows;
    return renderReportHtml(
      buildReportInput(model.artifact, {
        counts: window?.read() ?? null,
        liveLabel:
          capacity === 0
            ? 'none (monitoring is off: MONITOR_WINDOW_ROWS=0)'
            : `the most recent rows (up to ${capacity.toLocaleString('en-US')}) this process (pid ${process.pid}) scored with model ${model.name} since it was loaded`,
        psiThreshold: this.settings.psiThreshold,
        minRows: this.settings.minRows,
        generatedAt: new Date().toISOString(),
        extraMetadata: [
          ['model name', model.name],
          ['repository version', String(model.version)],
          ['loaded at', model.loadedAt],
        ],
      }),
    );
  }

  /** The window counting rows for exactly this model object, or null (none yet, or off). */
  private windowOf(model: ServingModel): DriftWindow | null {
    if (this.settings.windowRows === 0 || !model.artifact.reference) return null;
    let window = this.windows.get(model);
    if (window === undefined) {
      window = new DriftWindow(model.artifact.reference, this.settings.windowRows);
      this.windows.set(model, window);
    }
    return window;
  }

  /** The drift summary of the model's window; null without a reference or with monitoring off. */
  private summaryOf(model: ServingModel): DriftSummary | null {
    const window = this.windowOf(model);
    const reference = model.artifact.reference;
    if (window === null || !reference) return null;
    return summarizeDrift(reference, window.read(), featureNamesOf(model.artifact), {
      minRows: this.settings.minRows,
      psiThreshold: this.settings.psiThreshold,
    });
  }

  /** The drift gauges, computed from the windows when Prometheus scrapes. */
  private registerGauges(): void {
    const registers = [this.metrics.registry];
    const summaries = (): { name: string; summary: DriftSummary }[] => {
      const out: { name: string; summary: DriftSummary }[] = [];
      for (const entry of this.registry.entries()) {
        const model = this.registry.peek(entry.name);
        if (model === null) continue;
        const summary = this.summaryOf(model);
        if (summary !== null) out.push({ name: entry.name, summary });
      }
      return out;
    };
    new Gauge<'model' | 'feature'>({
      name: 'model_feature_psi',
      help: 'PSI of each feature over the live window against the training reference',
      labelNames: ['model', 'feature'],
      registers,
      collect() {
        this.reset();
        for (const { name, summary } of summaries()) {
          for (const f of summary.features) {
            if (f.psi !== null) this.set({ model: name, feature: f.name }, f.psi);
          }
        }
      },
    });
    new Gauge<'model'>({
      name: 'model_score_psi',
      help: 'PSI of the anomaly score over the live window against the training reference',
      labelNames: ['model'],
      registers,
      collect() {
        this.reset();
        for (const { name, summary } of summaries()) {
          if (summary.scorePsi !== null) this.set({ model: name }, summary.scorePsi);
        }
      },
    });
    new Gauge<'model'>({
      name: 'model_anomaly_rate_observed',
      help: 'Share of the live window flagged as anomalies',
      labelNames: ['model'],
      registers,
      collect() {
        this.reset();
        for (const { name, summary } of summaries()) {
          if (summary.anomalyRateObserved !== null) {
            this.set({ model: name }, summary.anomalyRateObserved);
          }
        }
      },
    });
    new Gauge<'model'>({
      name: 'model_drift_status',
      help: 'Drift verdict of the live window: 1 drift, 0 ok, -1 insufficient data',
      labelNames: ['model'],
      registers,
      collect() {
        this.reset();
        for (const { name, summary } of summaries()) {
          this.set({ model: name }, STATUS_VALUE[summary.status]);
        }
      },
    });
  }
}
