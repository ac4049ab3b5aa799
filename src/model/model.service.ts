import { Inject, Injectable } from '@nestjs/common';
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
import { toServingModel, type ServingModel } from './serving-model';

/** Result of one load attempt. */
export type ReloadOutcome =
  | { readonly ok: true; readonly model: ServingModel; readonly previousVersion: string | null }
  | { readonly ok: false; readonly reason: string; readonly serving: ServingModel | null };

/** The last load attempt, for `GET /model`. */
export interface LoadAttempt {
  readonly at: string;
  readonly trigger: ReloadTrigger;
  readonly ok: boolean;
  readonly reason: string | null;
}

/**
 * Holds the serving model. Loads replace it atomically: a request takes the current model once
 * and finishes on it even if a reload lands meanwhile; a failed load leaves the previous model
 * serving. Loads are serialised (a reload requested during another one runs after it).
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
  ) {
    this.path = config.get('model', { infer: true }).path;
    this.log = root.child({ context: ModelService.name });
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
