import type { ModelInfoDto } from './dto/model-info.dto';
import type { LoadAttempt } from './model-entry';
import type { ServingModel } from './serving-model';

/** The `GET /model` view of a serving model. */
export function toModelInfo(model: ServingModel, lastLoad: LoadAttempt | null): ModelInfoDto {
  const { artifact } = model;
  return {
    model_version: model.modelVersion,
    sha256: artifact.sha256,
    created_at: artifact.createdAt,
    loaded_at: model.loadedAt,
    source_format: artifact.source.format,
    sklearn_version: artifact.source.sklearnVersion ?? null,
    feature_names: artifact.featureNames === null ? null : [...artifact.featureNames],
    n_features: artifact.nFeatures,
    n_estimators: artifact.forest.nEstimators,
    max_samples: artifact.forest.maxSamples,
    max_features: artifact.forest.maxFeatures,
    contamination: artifact.params.contamination,
    offset: artifact.offset,
    threshold: model.threshold,
    n_training_samples: artifact.nTrainingSamples,
    last_load: lastLoad === null ? null : { ...lastLoad },
  };
}
