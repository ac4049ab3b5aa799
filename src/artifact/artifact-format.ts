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

/**
 * Optional forest arrays of version 2 (each may be absent; a version-1 file has none). The
 * encoder writes version 2 only when one of them is present, so models without them keep
 * version-1 files, byte for byte.
 * - `missingGoToLeft` (int32, one per node, 0 or 1): present exactly when the model accepts
 *   missing values (scikit-learn >= 1.6's `missing_go_to_left`);
 * - `averagePathLength` (float64, one per node): c(n_node_samples) as the model's writer
 *   computed it (scikit-learn 1.3+'s `_average_path_length_per_tree`), within 4 ulp of c(n).
 */
export const OPTIONAL_FOREST_ARRAYS_V2 = Object.freeze({
  missingGoToLeft: 'int32',
  averagePathLength: 'float64',
} as const satisfies Record<string, ArrayDtype>);

/** Name of one optional version-2 forest array. */
export type OptionalForestArrayName = keyof typeof OPTIONAL_FOREST_ARRAYS_V2;

/** Name of one forest array. */
export type ForestArrayName = keyof typeof FOREST_ARRAYS;

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
 * The version-1 document, members in file order. The file is this object as
 * `JSON.stringify(doc, null, 2)` with the `sha256` member appended last (see artifact-checksum.ts).
 */
export interface ArtifactDocumentV1 {
  readonly format: typeof ARTIFACT_FORMAT;
  readonly formatVersion: 1;
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
  readonly arrays: Readonly<Record<ForestArrayName, EncodedArray>>;
}

/** The version-2 document: version 1's members, and optional forest arrays. */
export interface ArtifactDocumentV2 extends Omit<ArtifactDocumentV1, 'formatVersion' | 'arrays'> {
  readonly formatVersion: 2;
  readonly arrays: Readonly<
    Record<ForestArrayName, EncodedArray> & Partial<Record<OptionalForestArrayName, EncodedArray>>
  >;
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
