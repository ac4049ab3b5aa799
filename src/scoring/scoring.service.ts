import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { scoreOne, scoreSamples, type DenseMatrix } from '../engine';
import { PINO_ROOT } from '../logging/logging.constants';
import { MetricsService } from '../metrics/metrics.service';
import { ModelRegistry } from '../model/model-registry';
import type { ServingModel } from '../model/serving-model';
import type { ExtraOutput } from './extra-output';
import { PredictionMetricsObserver } from './prediction-metrics.observer';
import type { ScoreObserver } from './score-observer';
import type { ExtraValues, ScoredRows, ScoreSource } from './scored-rows';
import { SCORE_CHUNK_ROWS } from './scoring.constants';

/** Options of one scoring call. */
export interface ScoreOptions {
  /** Who asks (observers and metrics tell callers apart by it). */
  readonly source: ScoreSource;
  /** Extra outputs to compute besides those computed always (names from {@link ScoringService.outputs}). */
  readonly extras?: readonly string[];
  /**
   * Called after each chunk of {@link ScoringService.scoreRows} is scored (rows `start` to
   * `end`, extras included), before the next yield: lets a writer format as it goes.
   */
  readonly onChunk?: (scored: ScoredRows, start: number, end: number) => void;
  /**
   * Rows per chunk of {@link ScoringService.scoreRows} (default {@link SCORE_CHUNK_ROWS}): callers
   * that request costly extras (explanations cost about a millisecond per row, scores a
   * microsecond) pass fewer, so that the event loop still turns every few milliseconds.
   */
  readonly chunkRows?: number;
}

/**
 * The one scoring path: every adapter (the domain API, the Open Inference Protocol, explanations,
 * reports) takes a model here and scores rows here, with scikit-learn 1.2.1's semantics
 * (`score_samples`; decision and prediction follow from the model's offset, see
 * `scored-rows.ts`). Two seams: {@link addObserver} (sees every scored row) and
 * {@link addOutput} (extra per-row outputs).
 */
@Injectable()
export class ScoringService {
  private readonly observers: ScoreObserver[] = [];
  private readonly extraOutputs: ExtraOutput[] = [];
  private readonly log: Logger;

  constructor(
    private readonly registry: ModelRegistry,
    metrics: MetricsService,
    @Inject(PINO_ROOT) root: Logger,
  ) {
    this.log = root.child({ context: ScoringService.name });
    this.addObserver(new PredictionMetricsObserver(metrics));
  }

  /**
   * The model to score with (see {@link ModelRegistry.get}): take it once per request.
   *
   * @throws ModelNotFoundError for an unknown name or version.
   * @throws ModelUnavailableError when it is not loaded.
   */
  model(name?: string, version?: number): ServingModel {
    return this.registry.get(name, version);
  }

  /** Adds an observer of every scored row. */
  addObserver(observer: ScoreObserver): void {
    this.observers.push(observer);
  }

  /** Adds an extra per-row output. @throws Error when the name is taken. */
  addOutput(output: ExtraOutput): void {
    if (this.extraOutputs.some((o) => o.name === output.name)) {
      throw new Error(`an extra output named ${output.name} is already registered`);
    }
    this.extraOutputs.push(output);
  }

  /** Every registered extra output, in registration order. */
  outputs(): readonly ExtraOutput[] {
    return this.extraOutputs;
  }

  /**
   * Scores one row (`model.artifact.nFeatures` values, in column order; the adapter has checked
   * them) synchronously.
   */
  scoreOne(model: ServingModel, row: ArrayLike<number>, options: ScoreOptions): ScoredRows {
    const cols = model.artifact.nFeatures;
    const data = new Float64Array(cols);
    for (let j = 0; j < cols; j++) data[j] = row[j];
    const x: DenseMatrix = { data, rows: 1, cols };
    const scores = new Float64Array(1);
    scores[0] = scoreOne(model.artifact.forest, data);
    const extras = this.selectOutputs(options.extras);
    const scored: ScoredRows = {
      model,
      source: options.source,
      x,
      scores,
      extras: extras.length === 0 ? NO_EXTRAS : this.allocate(model, extras, 1),
    };
    for (const output of extras) {
      output.compute(model, x, scores, scored.extras.get(output.name)!.values);
    }
    options.onChunk?.(scored, 0, 1);
    this.notify(scored);
    return scored;
  }

  /**
   * Scores the rows of `x` (`model.artifact.nFeatures` columns; the adapter has checked them) in
   * input order, {@link SCORE_CHUNK_ROWS} (or `options.chunkRows`) at a time with a yield to the
   * event loop in between,
   * so a large batch never holds other requests up for long. `model` scores every row, even if
   * a load swaps another version in meanwhile.
   */
  async scoreRows(model: ServingModel, x: DenseMatrix, options: ScoreOptions): Promise<ScoredRows> {
    const { rows, cols } = x;
    const scores = new Float64Array(rows);
    const extras = this.selectOutputs(options.extras);
    const scored: ScoredRows = {
      model,
      source: options.source,
      x,
      scores,
      extras: extras.length === 0 ? NO_EXTRAS : this.allocate(model, extras, rows),
    };
    const chunkRows = Math.max(1, Math.floor(options.chunkRows ?? SCORE_CHUNK_ROWS));
    for (let start = 0; start < rows; start += chunkRows) {
      if (start > 0) await yieldToEventLoop();
      const end = Math.min(rows, start + chunkRows);
      const chunk: DenseMatrix = {
        data: x.data.subarray(start * cols, end * cols),
        rows: end - start,
        cols,
      };
      const chunkScores = scores.subarray(start, end);
      scoreSamples(model.artifact.forest, chunk, chunkScores);
      for (const output of extras) {
        const { width, values } = scored.extras.get(output.name)!;
        output.compute(model, chunk, chunkScores, values.subarray(start * width, end * width));
      }
      options.onChunk?.(scored, start, end);
    }
    this.notify(scored);
    return scored;
  }

  private selectOutputs(requested: readonly string[] | undefined): ExtraOutput[] {
    const selected: ExtraOutput[] = [];
    for (const output of this.extraOutputs) {
      if (output.always || requested?.includes(output.name)) selected.push(output);
    }
    for (const name of requested ?? []) {
      if (!this.extraOutputs.some((o) => o.name === name)) {
        throw new Error(`no extra output named ${name} is registered`);
      }
    }
    return selected;
  }

  private allocate(
    model: ServingModel,
    outputs: readonly ExtraOutput[],
    rows: number,
  ): Map<string, ExtraValues> {
    const extras = new Map<string, ExtraValues>();
    for (const output of outputs) {
      const width = output.width(model);
      extras.set(output.name, { width, values: new Float64Array(rows * width) });
    }
    return extras;
  }

  private notify(scored: ScoredRows): void {
    for (const observer of this.observers) {
      try {
        observer.observe(scored);
      } catch (err) {
        this.log.error(
          { err, observer: observer.constructor.name, model: scored.model.name },
          'a score observer failed; the request was answered anyway',
        );
      }
    }
  }
}

const NO_EXTRAS: ReadonlyMap<string, ExtraValues> = new Map();
