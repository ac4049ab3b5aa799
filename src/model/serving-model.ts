import type { ModelArtifact } from '../artifact/model-artifact';
import { prepareForest, scoreOne } from '../engine';
import { ModelLoadError } from './model-load.error';

/** A verified model ready to score. Immutable: a reload swaps the whole object. */
export interface ServingModel {
  readonly artifact: ModelArtifact;
  /** `artifact.modelVersion`. */
  readonly version: string;
  /** ISO-8601 time this process loaded it. */
  readonly loadedAt: string;
  /** `-offset`: the anomaly score above which a row is an anomaly. */
  readonly threshold: number;
  /** Column of each feature name, or null when the model has no names. */
  readonly columns: ReadonlyMap<string, number> | null;
  /** The expected input, for messages: `2 values (cpu_usage, memory_load)`. */
  readonly expectedInput: string;
}

/**
 * Checks what the decoder cannot know about serving (consistent feature metadata, a finite
 * offset) and scores one row. Prepares the forest first (compiles it and builds its decision
 * tables), so that no request pays for that and batches of every size take the table path.
 *
 * @throws ModelLoadError when the model cannot serve.
 */
export function toServingModel(artifact: ModelArtifact, loadedAt: Date): ServingModel {
  const { nFeatures, featureNames, forest, offset } = artifact;
  if (forest.nFeatures !== nFeatures) {
    throw new ModelLoadError(
      `model file is inconsistent: ${nFeatures} features declared, forest expects ${forest.nFeatures}`,
    );
  }
  if (!Number.isFinite(offset)) throw new ModelLoadError('model file has a non-finite offset');
  let columns: Map<string, number> | null = null;
  if (featureNames !== null) {
    if (featureNames.length !== nFeatures) {
      throw new ModelLoadError(
        `model file is inconsistent: ${featureNames.length} feature names for ${nFeatures} features`,
      );
    }
    columns = new Map(featureNames.map((name, i) => [name, i]));
    if (columns.size !== nFeatures) throw new ModelLoadError('model file repeats a feature name');
  }
  let probe: number;
  try {
    prepareForest(forest);
    probe = scoreOne(forest, new Float64Array(nFeatures));
  } catch (err) {
    throw new ModelLoadError('model failed its scoring self-test', { cause: err });
  }
  if (!(probe < 0 && probe >= -1)) {
    throw new ModelLoadError(`model failed its scoring self-test (score ${probe})`);
  }
  const names = featureNames === null ? 'unnamed' : featureNames.join(', ');
  return Object.freeze({
    artifact,
    version: artifact.modelVersion,
    loadedAt: loadedAt.toISOString(),
    threshold: -offset,
    columns,
    expectedInput: `${nFeatures} value${nFeatures === 1 ? '' : 's'} (${names})`,
  });
}
