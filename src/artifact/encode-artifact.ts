import { ModelFormatError } from '../engine/errors';
import type { CountSpec, FractionSpec, IsolationForestOptions } from '../engine/options';
import { sealDocument, sha256Hex } from './artifact-checksum';
import {
  ARTIFACT_FORMAT,
  FOREST_ARRAYS,
  type ArtifactDocument,
  type EncodedArray,
  type EncodedParams,
  type ForestArrayName,
} from './artifact-format';
import { decodeArtifact } from './decode-artifact';
import type { ArtifactInput } from './model-artifact';
import { encodeTypedArray } from './typed-array-codec';

/** Hex digits of the content hash kept in a derived model version (64 bits). */
const DERIVED_VERSION_HEX = 16;

/**
 * Serialises a model to the version-2 file format (docs/artifact-format.md): UTF-8 JSON, arrays
 * as little-endian base64, scalars as shortest round-trip JSON numbers, sealed with a sha256 of
 * the exact bytes. Without `input.modelVersion` the version is `sha256-<16 hex>` of the model
 * content (everything but `modelVersion`, `createdAt` and `source`), so re-encoding the same
 * model gives the same id.
 *
 * The bytes are decoded again before they are returned, so the encoder never produces a file
 * the decoder would reject.
 *
 * @throws ModelFormatError when the input is not a valid model (same checks as decoding).
 */
export function encodeArtifact(input: ArtifactInput): Uint8Array {
  const forest = input.forest;
  const arrays = {} as Record<ForestArrayName, EncodedArray>;
  for (const name of Object.keys(FOREST_ARRAYS) as ForestArrayName[]) {
    arrays[name] = encodeTypedArray(forest[name]);
  }
  const weighted = forest.weightedNNodeSamples;
  const allArrays =
    weighted === undefined
      ? arrays
      : { ...arrays, weightedNNodeSamples: encodeTypedArray(weighted) };
  const content = {
    params: normalizeParams(input.params),
    featureNames: input.featureNames,
    nFeatures: input.nFeatures,
    offset: input.offset,
    nEstimators: forest.nEstimators,
    maxSamples: forest.maxSamples,
    maxFeatures: forest.maxFeatures,
    nTrainingSamples: input.nTrainingSamples,
    trainingScoreQuantiles: optionalArray(input.trainingScoreQuantiles),
    featureMin: optionalArray(input.featureMin),
    featureMax: optionalArray(input.featureMax),
    arrays: allArrays,
  };
  if (forest.nFeatures !== input.nFeatures) {
    throw new ModelFormatError(
      `refusing to encode: nFeatures is ${input.nFeatures} but the forest has ${forest.nFeatures}`,
    );
  }
  const modelVersion =
    input.modelVersion ??
    `sha256-${sha256Hex(JSON.stringify(content)).slice(0, DERIVED_VERSION_HEX)}`;
  const doc: ArtifactDocument = {
    format: ARTIFACT_FORMAT,
    formatVersion: 2,
    modelVersion,
    createdAt: input.createdAt,
    source:
      input.source.sklearnVersion === undefined
        ? { format: input.source.format }
        : { format: input.source.format, sklearnVersion: input.source.sklearnVersion },
    ...content,
  };
  const { bytes } = sealDocument(JSON.stringify(doc, null, 2));
  try {
    decodeArtifact(bytes);
  } catch (e) {
    if (e instanceof ModelFormatError) {
      throw new ModelFormatError(`refusing to encode an invalid model: ${e.message}`);
    }
    throw e;
  }
  return bytes;
}

/** The params with members in file order and nothing else (so equal params hash equally). */
function normalizeParams(p: IsolationForestOptions): EncodedParams {
  return {
    nEstimators: p.nEstimators,
    maxSamples: p.maxSamples === 'auto' ? 'auto' : spec(p.maxSamples),
    maxFeatures: spec(p.maxFeatures),
    contamination: p.contamination,
    bootstrap: p.bootstrap,
    randomState: p.randomState,
  };
}

function spec(s: CountSpec | FractionSpec): { count: number } | { fraction: number } {
  return 'count' in s ? { count: s.count } : { fraction: s.fraction };
}

function optionalArray(values: Float64Array | null): EncodedArray | null {
  return values === null ? null : encodeTypedArray(values);
}
