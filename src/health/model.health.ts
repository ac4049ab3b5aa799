import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ModelRegistry } from '../model/model-registry';

/** Up when a model is loaded (with its version, load time and feature count); down with why not. */
@Injectable()
export class ModelHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly models: ModelRegistry,
  ) {}

  /** The model's health under `key`. */
  isHealthy(key: string): HealthIndicatorResult {
    const indicator = this.health.check(key);
    const model = this.models.peek();
    if (model === null) return indicator.down({ reason: this.models.reasonUnavailable() });
    return indicator.up({
      version: model.modelVersion,
      loaded_at: model.loadedAt,
      n_features: model.artifact.nFeatures,
    });
  }
}
