import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { ModelReloadError, ModelUnavailableError } from '../common/errors';
import { PINO_ROOT } from '../logging/logging.constants';
import { MetricsService, type ReloadTrigger } from '../metrics/metrics.service';
import type { ModelInfoDto, ModelReloadResponseDto } from './dto/model-info.dto';
import { toModelInfo } from './model-info';
import { ModelLoader } from './model-loader';
import { ModelLoadError } from './model-load.error';
import { verifiedHandoffBytes, type ModelHandoff } from './model-handoff';
import type { LoadAttempt, ModelPoolPort } from './model-pool';
import { MODEL_POOL } from './model.constants';
import { toServingModel, type ServingModel } from './serving-model';

export type { LoadAttempt } from './model-pool';

/** Result of one load attempt. */
export type ReloadOutcome =
  | { readonly ok: true; readonly model: ServingModel; readonly previousVersion: string | null }
  | { readonly ok: false; readonly reason: string; readonly serving: ServingModel | null };

/**
 * Holds the serving model. Loads replace it atomically: a request takes the current model once
 * and finishes on it even if a reload lands meanwhile; a failed load leaves the previous model
 * serving. Loads are serialised (a reload requested during another one runs after it).
 *
 * In a worker pool (WORKERS > 1) the primary owns every load: a worker never reads the disk,
 * {@link reload} asks the primary, and the primary drives {@link prepare} (decode the handed-over
 * bytes, swap nothing) and {@link commit} (swap) on every worker, two-phase, so a reload changes
 * all workers or none.
 */
@Injectable()
export class ModelService {
  private serving: ServingModel | null = null;
  private unavailableReason = 'the model has not been loaded yet';
  private lastAttempt: LoadAttempt | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly path: string;
  private readonly log: Logger;

  constructor(
    private readonly loader: ModelLoader,
    config: ConfigService<AppConfig, true>,
    private readonly metrics: MetricsService,
    @Inject(PINO_ROOT) root: Logger,
    @Optional() @Inject(MODEL_POOL) private readonly pool: ModelPoolPort | null = null,
  ) {
    this.path = config.get('model', { infer: true }).path;
    this.log = root.child({ context: ModelService.name });
  }

  /**
   * The start-up load: reads `MODEL_PATH` in a single process; in a pool worker, adopts the
   * model the primary handed over (never throws: a failure leaves readiness down with why).
   */
  async start(): Promise<void> {
    if (this.pool === null) {
      await this.reload('startup');
      return;
    }
    const { model, lastLoad, unavailableReason } = this.pool.initial;
    this.unavailableReason = unavailableReason;
    this.lastAttempt = lastLoad;
    if (model === null) return;
    try {
      this.commit(
        this.prepare(model),
        lastLoad ?? { at: model.loadedAt, trigger: 'startup', ok: true, reason: null },
      );
    } catch (err) {
      this.unavailableReason =
        err instanceof ModelLoadError ? err.message : 'model could not be loaded (see server log)';
      this.log.error({ err }, 'model from the primary could not be adopted; no model is serving');
    }
  }

  /**
   * Pool worker, phase one of a reload: checks the handed-over bytes against the primary's
   * sha256, decodes and self-tests them, and returns the model without serving it.
   *
   * @throws ModelLoadError when this worker cannot serve it.
   */
  prepare(handoff: ModelHandoff): ServingModel {
    const artifact = this.loader.decode(verifiedHandoffBytes(handoff));
    return toServingModel(artifact, new Date(handoff.loadedAt));
  }

  /** Pool worker, phase two: serves `model` from now on, recording the primary's `attempt`. */
  commit(model: ServingModel, attempt: LoadAttempt): void {
    const previous = this.serving;
    this.serving = model;
    this.lastAttempt = attempt;
    this.metrics.setModel({
      version: model.version,
      sha256: model.artifact.sha256,
      sourceFormat: model.artifact.source.format,
    });
    this.log.info(
      {
        trigger: attempt.trigger,
        modelVersion: model.version,
        previousVersion: previous?.version ?? null,
        nFeatures: model.artifact.nFeatures,
      },
      'model loaded',
    );
  }

  /** Pool worker: records a load attempt the primary refused (nothing else changes). */
  noteFailedAttempt(attempt: LoadAttempt): void {
    this.lastAttempt = attempt;
    if (this.serving === null && attempt.reason !== null) this.unavailableReason = attempt.reason;
  }

  /** The model to score with. @throws ModelUnavailableError when none is loaded. */
  current(): ServingModel {
    const model = this.serving;
    if (model === null) throw new ModelUnavailableError(this.unavailableReason);
    return model;
  }

  /** The serving model, or null. */
  peek(): ServingModel | null {
    return this.serving;
  }

  /** Why no model is serving (meaningful when {@link peek} is null). */
  get reasonUnavailable(): string {
    return this.unavailableReason;
  }

  /** The last load attempt, or null before the first. */
  get lastLoad(): LoadAttempt | null {
    return this.lastAttempt;
  }

  /**
   * Re-reads `MODEL_PATH`, verifies it fully and swaps it in; on failure the current model (if
   * any) keeps serving. Never throws.
   */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    if (this.pool !== null) return this.reloadThroughPool(this.pool, trigger);
    const next = this.queue.then(() => this.load(trigger));
    this.queue = next;
    return next;
  }

  /** Metadata of the serving model. @throws ModelUnavailableError when none is loaded. */
  info(): ModelInfoDto {
    return toModelInfo(this.current(), this.lastAttempt);
  }

  /** {@link reload} for `POST /model/reload`. @throws ModelReloadError when it fails. */
  async reloadFromApi(): Promise<ModelReloadResponseDto> {
    const outcome = await this.reload('api');
    if (!outcome.ok) throw new ModelReloadError(outcome.reason, outcome.serving?.version ?? null);
    return {
      status: 'reloaded',
      previous_version: outcome.previousVersion,
      model: toModelInfo(outcome.model, this.lastAttempt),
    };
  }

  private async reloadThroughPool(
    pool: ModelPoolPort,
    trigger: ReloadTrigger,
  ): Promise<ReloadOutcome> {
    const result = await pool.reload(trigger);
    if (!result.ok) return { ok: false, reason: result.reason, serving: this.serving };
    // The primary answers after every worker, this one included, committed the new model.
    return { ok: true, model: this.current(), previousVersion: result.previousVersion };
  }

  private async load(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const at = new Date();
    try {
      const artifact = await this.loader.load(this.path);
      const model = toServingModel(artifact, new Date());
      const previous = this.serving;
      this.serving = model;
      this.lastAttempt = { at: at.toISOString(), trigger, ok: true, reason: null };
      this.metrics.setModel({
        version: model.version,
        sha256: artifact.sha256,
        sourceFormat: artifact.source.format,
      });
      this.metrics.recordReload('success', trigger);
      this.log.info(
        {
          trigger,
          path: this.path,
          modelVersion: model.version,
          previousVersion: previous?.version ?? null,
          nFeatures: artifact.nFeatures,
        },
        'model loaded',
      );
      return { ok: true, model, previousVersion: previous?.version ?? null };
    } catch (err) {
      const reason =
        err instanceof ModelLoadError ? err.message : 'model could not be loaded (see server log)';
      this.lastAttempt = { at: at.toISOString(), trigger, ok: false, reason };
      if (this.serving === null) this.unavailableReason = reason;
      this.metrics.recordReload('failure', trigger);
      this.log.error(
        {
          trigger,
          path: this.path,
          reason,
          err: err instanceof ModelLoadError && err.cause !== undefined ? err.cause : err,
          servingVersion: this.serving?.version ?? null,
        },
        this.serving === null
          ? 'model load failed; no model is serving'
          : 'model reload failed; previous model keeps serving',
      );
      return { ok: false, reason, serving: this.serving };
    }
  }
}
