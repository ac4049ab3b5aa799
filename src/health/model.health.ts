import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { AppConfig } from '../config';
import { latestModel, type ModelEntry } from '../model/model-entry';
import { ModelRegistry, UNLOADED } from '../model/model-registry';

/** A health check Terminus runs. */
export type HealthCheck = () => HealthIndicatorResult;

/**
 * One indicator per model: up when it serves (with its version, load time and feature count),
 * down with the reason. With `MODEL_PATH` alone the one model's key is `model`; with a repository
 * each model's key is `model:<name>` (models unloaded on request are left out, as the repository
 * index lists them), and a repository without any model is one `models` indicator, down.
 */
@Injectable()
export class ModelHealthIndicator {
  private readonly repository: boolean;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly models: ModelRegistry,
    config: ConfigService<AppConfig, true>,
  ) {
    this.repository = config.get('model', { infer: true }).repository !== null;
  }

  /** The checks of every model, as of now. */
  checks(): HealthCheck[] {
    if (!this.repository) return [() => this.check('model', this.models.entry())];
    const entries = this.models.entries().filter((e) => e.reason !== UNLOADED);
    if (entries.length === 0) {
      return [
        () =>
          this.health.check('models').down({
            reason: this.models.allReady()
              ? 'no model is loaded'
              : `no model is loaded: ${this.models.reasonUnavailable()}`,
          }),
      ];
    }
    return entries.map((entry) => () => this.check(`model:${entry.name}`, entry));
  }

  private check(key: string, entry: ModelEntry | undefined): HealthIndicatorResult {
    const indicator = this.health.check(key);
    const model = latestModel(entry);
    const failed = entry?.versions.filter((v) => v.state !== 'READY') ?? [];
    if (model === null || failed.length > 0) {
      return indicator.down({
        reason:
          failed.length > 0 && entry!.versions.length > 1
            ? failed.map((v) => `version ${v.version}: ${v.reason}`).join('; ')
            : this.models.reasonUnavailable(entry?.name),
      });
    }
    return indicator.up({
      version: model.modelVersion,
      loaded_at: model.loadedAt,
      n_features: model.artifact.nFeatures,
      ...(this.repository ? { versions: entry!.versions.map((v) => v.version) } : {}),
    });
  }
}
