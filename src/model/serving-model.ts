import { decodeModelFile } from '../artifact';
import type { ModelArtifact } from '../artifact/model-artifact';
import { ModelFormatError, prepareForest, scoreOne } from '../engine';
import { ModelLoadError } from './model-load.error';

/** Which model and version: the registry's key. */
export interface ModelId {
  /** Model name (`MODEL_NAME`, or a repository folder). */
  readonly name: string;
  /** Repository version: a positive integer (the model of `MODEL_PATH` is version 1). */
  readonly version: number;
}

/**
 * A verified version of a model, ready to score. Immutable: a load swaps the whole object, so a
 * request that took it finishes on it.
 */
export interface ServingModel extends ModelId {
  readonly artifact: ModelArtifact;
  /** The artifact's own id (`artifact.modelVersion`): the domain API's `model_version`. */
  readonly modelVersion: string;
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
 * Decodes model file bytes (a native artifact or a scikit-learn pickle/joblib file, told apart
 * by content) into a verified {@link ServingModel}. Pure: no I/O, so a cluster primary can run it
 * to validate bytes and each worker to build its own copy.
 *
 * @throws ModelLoadError with a reason callers may see (the cause keeps the decoder's error).
 */
export function decodeServingModel(bytes: Uint8Array, id: ModelId, loadedAt: Date): ServingModel {
  let artifact: ModelArtifact;
  try {
    artifact = decodeModelFile(bytes);
  } catch (err) {
    if (err instanceof ModelFormatError) {
      throw new ModelLoadError(`model file is invalid: ${publicReason(err.message)}`, {
        cause: err,
      });
    }
    throw new ModelLoadError('model file could not be decoded', { cause: err });
  }
  return toServingModel(artifact, id, loadedAt);
}

/**
 * Checks what the decoder cannot know about serving (consistent feature metadata, a finite
 * offset) and scores one row. Prepares the forest first (compiles it and builds its decision
 * tables), so that no request pays for that and batches of every size take the table path.
 *
 * @throws ModelLoadError when the model cannot serve.
 */
export function toServingModel(artifact: ModelArtifact, id: ModelId, loadedAt: Date): ServingModel {
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
    name: id.name,
    version: id.version,
    artifact,
    modelVersion: artifact.modelVersion,
    loadedAt: loadedAt.toISOString(),
    threshold: -offset,
    columns,
    expectedInput: `${nFeatures} value${nFeatures === 1 ? '' : 's'} (${names})`,
  });
}

/**
 * The decoder's message without the JSON parser's own wording, which it quotes for operators
 * (callers see "not valid JSON" or "truncated: ..."; the server log keeps the parser's text).
 */
export function publicReason(message: string): string {
  if (message.startsWith(JSON_FAILURE)) return JSON_FAILURE;
  return message.replace(/\s*\([^()]*\bJSON\b[^()]*\)/g, '');
}

const JSON_FAILURE = 'not valid JSON';
