/**
 * Constants and the JSON document shape of the model file, shared by the encoder and the
 * decoder. docs/artifact-format.md is the normative description; keep both in step.
 */

/** Value of the document's `format` member: says what kind of file this is. */
export const ARTIFACT_FORMAT = 'ml-anomaly-api/isolation-forest';

/** The newest format version this build writes; it reads every version from 1 up to this one. */
export const ARTIFACT_FORMAT_VERSION: number = 2;

/** Element types of the encoded arrays (always little-endian). */
export type ArrayDtype = 'int32' | 'float64';

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<ArrayDtype, number>> = Object.freeze({
  int32: 4,
  float64: 8,
});

/** A typed array in the document: `length` elements of `dtype`, little-endian, base64 (RFC 4648 §4). */
export interface EncodedArray {
  readonly dtype: ArrayDtype;
  readonly length: number;
  readonly data: string;
}

/** The forest arrays of the document, in this order, with their dtypes. */
export const FOREST_ARRAYS = Object.freeze({
  treeFeatures: 'int32',
  nodeOffsets: 'int32',
  childrenLeft: 'int32',
  childrenRight: 'int32',
  feature: 'int32',
  threshold: 'float64',
  nNodeSamples: 'int32',
} as const satisfies Record<string, ArrayDtype>);

/** Name of one forest array. */
export type ForestArrayName = keyof typeof FOREST_ARRAYS;

/**
 * Forest arrays that version 2 added, each optional (a version-1 file has none of them): a
 * reader accepts a version-2 file with or without each, and the model can do less without it.
 *
 * - `weightedNNodeSamples`: `weighted_n_node_samples` per node, the cover TreeSHAP explanations
 *   need (without it the model scores but cannot be explained).
 */
export const OPTIONAL_FOREST_ARRAYS_V2 = Object.freeze({
  weightedNNodeSamples: 'float64',
} as const satisfies Record<string, ArrayDtype>);

/**
 * Top-level members that version 2 added, each optional (same rule as
 * {@link OPTIONAL_FOREST_ARRAYS_V2}; none of them is this branch's: the list is where other
 * version-2 additions go).
 */
export const OPTIONAL_DOCUMENT_MEMBERS_V2: readonly string[] = Object.freeze([]);

/** Name of one optional (version 2) forest array. */
export type OptionalForestArrayName = keyof typeof OPTIONAL_FOREST_ARRAYS_V2;

/** `params` as written: the training options with tagged count/fraction specs. */
export interface EncodedParams {
  readonly nEstimators: number;
  readonly maxSamples: 'auto' | { readonly count: number } | { readonly fraction: number };
  readonly maxFeatures: { readonly count: number } | { readonly fraction: number };
  readonly contamination: 'auto' | number;
  readonly bootstrap: boolean;
  readonly randomState: number;
}

/**
 * The document, members in file order (version 1, or version 2 with its optional additions).
 * The file is this object as `JSON.stringify(doc, null, 2)` with the `sha256` member appended
 * last (see artifact-checksum.ts).
 */
export interface ArtifactDocument {
  readonly format: typeof ARTIFACT_FORMAT;
  readonly formatVersion: 1 | 2;
  readonly modelVersion: string;
  readonly createdAt: string;
  readonly source: { readonly format: string; readonly sklearnVersion?: string };
  readonly params: EncodedParams;
  readonly featureNames: readonly string[] | null;
  readonly nFeatures: number;
  readonly offset: number;
  readonly nEstimators: number;
  readonly maxSamples: number;
  readonly maxFeatures: number;
  readonly nTrainingSamples: number | null;
  readonly trainingScoreQuantiles: EncodedArray | null;
  readonly featureMin: EncodedArray | null;
  readonly featureMax: EncodedArray | null;
  readonly arrays: Readonly<Record<ForestArrayName, EncodedArray>> &
    Readonly<Partial<Record<OptionalForestArrayName, EncodedArray>>>;
}

/** Every member name a version-1 file has, `sha256` included; anything else is rejected. */
export const DOCUMENT_MEMBERS_V1: readonly string[] = Object.freeze([
  'format',
  'formatVersion',
  'modelVersion',
  'createdAt',
  'source',
  'params',
  'featureNames',
  'nFeatures',
  'offset',
  'nEstimators',
  'maxSamples',
  'maxFeatures',
  'nTrainingSamples',
  'trainingScoreQuantiles',
  'featureMin',
  'featureMax',
  'arrays',
  'sha256',
]);

/** Number of percentiles in `trainingScoreQuantiles` (0, 1, ..., 100). */
export const QUANTILE_COUNT = 101;

/** Allowed model version ids: safe in file names, HTTP headers and metric labels. */
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

/** ISO-8601 UTC timestamp as `Date.prototype.toISOString` writes it (milliseconds optional). */
export const CREATED_AT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
