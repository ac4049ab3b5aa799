import { ModelFormatError } from '../engine/errors';
import { TREE_LEAF, TREE_UNDEFINED, type FlatForest } from '../engine/forest';
import { fittedMaxFeatures, fittedMaxSamples } from '../engine/fitted-sizes';
import type { IsolationForestOptions } from '../engine/options';
import { verifyForest } from '../engine/verify-forest';
import { verifyChecksum } from './artifact-checksum';
import {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  CREATED_AT_PATTERN,
  DOCUMENT_MEMBERS_V1,
  FOREST_ARRAYS,
  MODEL_VERSION_PATTERN,
  OPTIONAL_DOCUMENT_MEMBERS_V2,
  OPTIONAL_FOREST_ARRAYS_V2,
  QUANTILE_COUNT,
  type ForestArrayName,
} from './artifact-format';
import { describeJson } from './describe-json';
import type { ModelArtifact, ModelSourceFormat } from './model-artifact';
import { decodeTypedArray } from './typed-array-codec';

type JsonObject = Record<string, unknown>;

const SOURCE_FORMATS: readonly ModelSourceFormat[] = ['native', 'sklearn-pickle', 'sklearn-joblib'];
const MAX_UINT32 = 4294967295;
const INT32_MAX = 2147483647;

/**
 * Reads a model file (docs/artifact-format.md) and verifies everything before returning:
 * UTF-8 and JSON syntax, the format marker, a supported `formatVersion`, the sha256 checksum of
 * the exact bytes, every member's type and range, base64 and byte lengths of every array,
 * counts against array lengths, the forest's structure (`verifyForest` plus leaf markers and
 * sample counts), and the consistency of params, offset, quantiles and feature ranges.
 *
 * The result is frozen (objects and arrays of names; typed arrays cannot be frozen in
 * JavaScript, but they are fresh copies that share nothing with `bytes`).
 *
 * @throws ModelFormatError saying what is wrong and where; never returns half a model.
 */
export function decodeArtifact(bytes: Uint8Array): ModelArtifact {
  if (!(bytes instanceof Uint8Array)) {
    throw new ModelFormatError('decodeArtifact expects the file bytes as a Uint8Array');
  }
  if (bytes.length === 0) throw new ModelFormatError('empty file: expected a model artifact');
  const doc = parseDocument(bytes);
  checkHeader(doc);
  const sha256 = verifyChecksum(bytes);
  return readDocument(doc, doc.formatVersion as 1 | 2, sha256);
}

function parseDocument(bytes: Uint8Array): JsonObject {
  if (bytes[0] === 0x80 && bytes.length > 1 && bytes[1] >= 2 && bytes[1] <= 5) {
    throw new ModelFormatError(
      'this is a Python pickle, not a model artifact: import scikit-learn models with `npm run import`',
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ModelFormatError('not a model artifact: the file is not UTF-8 text');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // Newer V8 (Node 24) already appends " (line L column C)"; drop it so every runtime words
    // the reason alike and withLineColumn adds it once.
    const message = (e instanceof Error ? e.message : String(e)).replace(V8_LINE_COLUMN, '');
    const truncated = /end of JSON input|Unterminated/i.test(message);
    throw new ModelFormatError(
      truncated
        ? `truncated: the JSON document ends early (${message})`
        : `not valid JSON: ${withLineColumn(message, text)}`,
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ModelFormatError(
      `not a model artifact: expected a JSON object, got ${describeJson(doc)}`,
    );
  }
  return doc as JsonObject;
}

/** The location newer V8 (Node 24) appends to its JSON error messages. */
const V8_LINE_COLUMN = /\s*\(line \d+ column \d+\)$/;

/** Adds "line L column C" to V8's "at position N" JSON error messages. */
function withLineColumn(message: string, text: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${message} (line ${line} column ${column})`;
}

function checkHeader(doc: JsonObject): void {
  if (doc.format !== ARTIFACT_FORMAT) {
    throw new ModelFormatError(
      `not a model artifact: format marker is ${describeJson(doc.format)}, expected "${ARTIFACT_FORMAT}"`,
    );
  }
  const v = doc.formatVersion;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new ModelFormatError(`formatVersion must be a positive integer, got ${describeJson(v)}`);
  }
  if (v > ARTIFACT_FORMAT_VERSION) {
    throw new ModelFormatError(
      `unsupported format version ${v}; this build reads ${formatVersionRange()}`,
    );
  }
}

function formatVersionRange(): string {
  return ARTIFACT_FORMAT_VERSION === 1 ? '1' : `1 to ${ARTIFACT_FORMAT_VERSION}`;
}

/**
 * Reads a version-1 or version-2 document. Version 2 is version 1 plus optional additions
 * (`OPTIONAL_FOREST_ARRAYS_V2`); a version-1 file must not carry them.
 */
function readDocument(doc: JsonObject, formatVersion: 1 | 2, sha256: string): ModelArtifact {
  checkMembers(
    doc,
    DOCUMENT_MEMBERS_V1,
    'the document',
    formatVersion >= 2 ? OPTIONAL_DOCUMENT_MEMBERS_V2 : [],
  );
  const modelVersion = readString(doc, 'modelVersion');
  if (!MODEL_VERSION_PATTERN.test(modelVersion)) {
    throw new ModelFormatError(
      `modelVersion ${describeJson(modelVersion)} must match ${String(MODEL_VERSION_PATTERN)}`,
    );
  }
  const createdAt = readString(doc, 'createdAt');
  if (!CREATED_AT_PATTERN.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
    throw new ModelFormatError(
      `createdAt ${describeJson(createdAt)} is not an ISO-8601 UTC time like 2025-01-31T12:00:00.000Z`,
    );
  }
  const source = readSource(doc.source);
  const params = readParams(doc.params);

  const nFeatures = readInt(doc, 'nFeatures', 1, INT32_MAX);
  const nEstimators = readInt(doc, 'nEstimators', 1, INT32_MAX);
  const maxSamples = readInt(doc, 'maxSamples', 1, INT32_MAX);
  const maxFeatures = readInt(doc, 'maxFeatures', 1, nFeatures);
  const offset = doc.offset;
  if (typeof offset !== 'number' || !Number.isFinite(offset)) {
    throw new ModelFormatError(`offset must be a finite number, got ${describeJson(offset)}`);
  }
  const nTrainingSamples =
    doc.nTrainingSamples === null
      ? null
      : readInt(doc, 'nTrainingSamples', 1, Number.MAX_SAFE_INTEGER);
  const featureNames = readFeatureNames(doc.featureNames, nFeatures);

  const forest = readForest(
    doc.arrays,
    { nEstimators, nFeatures, maxSamples, maxFeatures },
    formatVersion,
  );
  verifyForest(forest);
  verifyNodeSemantics(forest);

  const trainingScoreQuantiles = readOptionalFloats(doc, 'trainingScoreQuantiles', QUANTILE_COUNT);
  const featureMin = readOptionalFloats(doc, 'featureMin', nFeatures);
  const featureMax = readOptionalFloats(doc, 'featureMax', nFeatures);
  checkTrainingSummary(trainingScoreQuantiles, featureMin, featureMax);
  checkParamsAgainstModel(params, { forest, offset, nTrainingSamples });

  return Object.freeze({
    formatVersion,
    modelVersion,
    createdAt,
    params,
    featureNames,
    nFeatures,
    offset,
    forest,
    nTrainingSamples,
    trainingScoreQuantiles,
    featureMin,
    featureMax,
    source,
    sha256,
  });
}

function checkMembers(
  obj: JsonObject,
  allowed: readonly string[],
  where: string,
  optional: readonly string[] = [],
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key) && !optional.includes(key))
      throw new ModelFormatError(`${where} has an unknown member '${key}'`);
  }
  for (const key of allowed) {
    if (!(key in obj)) throw new ModelFormatError(`${where} is missing the member '${key}'`);
  }
}

function readObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(`${path} must be an object, got ${describeJson(value)}`);
  }
  return value as JsonObject;
}

function readString(obj: JsonObject, key: string, path = key): string {
  const v = obj[key];
  if (typeof v !== 'string')
    throw new ModelFormatError(`${path} must be a string, got ${describeJson(v)}`);
  return v;
}

function readInt(obj: JsonObject, key: string, min: number, max: number, path = key): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ModelFormatError(
      `${path} must be an integer in [${min}, ${max}], got ${describeJson(v)}`,
    );
  }
  return v;
}

function readSource(value: unknown): ModelArtifact['source'] {
  const obj = readObject(value, 'source');
  const keys = Object.keys(obj);
  for (const key of keys) {
    if (key !== 'format' && key !== 'sklearnVersion') {
      throw new ModelFormatError(`source has an unknown member '${key}'`);
    }
  }
  const format = obj.format;
  if (!SOURCE_FORMATS.includes(format as ModelSourceFormat)) {
    throw new ModelFormatError(
      `source.format must be one of ${SOURCE_FORMATS.join(', ')}, got ${describeJson(format)}`,
    );
  }
  if (!('sklearnVersion' in obj)) return Object.freeze({ format: format as ModelSourceFormat });
  const sklearnVersion = readString(obj, 'sklearnVersion', 'source.sklearnVersion');
  if (!/^[0-9A-Za-z.+-]{1,64}$/.test(sklearnVersion)) {
    throw new ModelFormatError(
      `source.sklearnVersion ${describeJson(sklearnVersion)} is not a version`,
    );
  }
  return Object.freeze({ format: format as ModelSourceFormat, sklearnVersion });
}

function readSpec(
  value: unknown,
  path: string,
  allowAuto: boolean,
): 'auto' | { readonly count: number } | { readonly fraction: number } {
  if (allowAuto && value === 'auto') return 'auto';
  const obj = readObject(value, path);
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'count') {
    return Object.freeze({ count: readInt(obj, 'count', 1, INT32_MAX, `${path}.count`) });
  }
  if (keys.length === 1 && keys[0] === 'fraction') {
    const f = obj.fraction;
    if (typeof f !== 'number' || !(f > 0 && f <= 1)) {
      throw new ModelFormatError(
        `${path}.fraction must be a number in (0, 1], got ${describeJson(f)}`,
      );
    }
    return Object.freeze({ fraction: f });
  }
  throw new ModelFormatError(
    `${path} must be ${allowAuto ? '"auto", ' : ''}{ "count": N } or { "fraction": F }`,
  );
}

function readParams(value: unknown): IsolationForestOptions {
  const obj = readObject(value, 'params');
  checkMembers(
    obj,
    ['nEstimators', 'maxSamples', 'maxFeatures', 'contamination', 'bootstrap', 'randomState'],
    'params',
  );
  const nEstimators = readInt(obj, 'nEstimators', 1, INT32_MAX, 'params.nEstimators');
  const maxSamples = readSpec(obj.maxSamples, 'params.maxSamples', true);
  const maxFeatures = readSpec(obj.maxFeatures, 'params.maxFeatures', false);
  if (maxFeatures === 'auto') throw new ModelFormatError('params.maxFeatures cannot be "auto"');
  const c = obj.contamination;
  if (c !== 'auto' && (typeof c !== 'number' || !(c > 0 && c <= 0.5))) {
    throw new ModelFormatError(
      `params.contamination must be "auto" or a number in (0, 0.5], got ${describeJson(c)}`,
    );
  }
  if (typeof obj.bootstrap !== 'boolean') {
    throw new ModelFormatError(
      `params.bootstrap must be true or false, got ${describeJson(obj.bootstrap)}`,
    );
  }
  const randomState = readInt(obj, 'randomState', 0, MAX_UINT32, 'params.randomState');
  return Object.freeze({
    nEstimators,
    maxSamples,
    maxFeatures,
    contamination: c,
    bootstrap: obj.bootstrap,
    randomState,
  });
}

function readFeatureNames(value: unknown, nFeatures: number): readonly string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) {
    throw new ModelFormatError(
      `featureNames must be null or an array of strings, got ${describeJson(value)}`,
    );
  }
  if (value.length !== nFeatures) {
    throw new ModelFormatError(
      `featureNames has ${value.length} names but nFeatures is ${nFeatures}`,
    );
  }
  const seen = new Set<string>();
  value.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || name.length === 0) {
      throw new ModelFormatError(
        `featureNames[${i}] must be a non-empty string, got ${describeJson(name)}`,
      );
    }
    if (seen.has(name))
      throw new ModelFormatError(`featureNames[${i}] repeats the name ${describeJson(name)}`);
    seen.add(name);
  });
  return Object.freeze([...(value as string[])]);
}

function readForest(
  value: unknown,
  sizes: Pick<FlatForest, 'nEstimators' | 'nFeatures' | 'maxSamples' | 'maxFeatures'>,
  formatVersion: 1 | 2,
): FlatForest {
  const arrays = readObject(value, 'arrays');
  const optional = formatVersion >= 2 ? Object.keys(OPTIONAL_FOREST_ARRAYS_V2) : [];
  checkMembers(arrays, Object.keys(FOREST_ARRAYS), 'arrays', optional);
  const { nEstimators, maxFeatures } = sizes;
  const treeFeatures = decodeTypedArray(
    arrays.treeFeatures,
    'int32',
    nEstimators * maxFeatures,
    'arrays.treeFeatures',
  );
  const nodeOffsets = decodeTypedArray(
    arrays.nodeOffsets,
    'int32',
    nEstimators + 1,
    'arrays.nodeOffsets',
  );
  const nNodes = nodeOffsets[nEstimators];
  if (!(nNodes >= nEstimators)) {
    throw new ModelFormatError(
      `arrays.nodeOffsets ends at ${nNodes}, but ${nEstimators} trees need at least one node each`,
    );
  }
  const nodeArray = (
    name: Exclude<ForestArrayName, 'treeFeatures' | 'nodeOffsets' | 'threshold'>,
  ) => decodeTypedArray(arrays[name], 'int32', nNodes, `arrays.${name}`);
  return Object.freeze({
    ...sizes,
    treeFeatures,
    nodeOffsets,
    childrenLeft: nodeArray('childrenLeft'),
    childrenRight: nodeArray('childrenRight'),
    feature: nodeArray('feature'),
    threshold: decodeTypedArray(arrays.threshold, 'float64', nNodes, 'arrays.threshold'),
    nNodeSamples: nodeArray('nNodeSamples'),
    ...('weightedNNodeSamples' in arrays
      ? {
          weightedNNodeSamples: decodeTypedArray(
            arrays.weightedNNodeSamples,
            'float64',
            nNodes,
            'arrays.weightedNNodeSamples',
          ),
        }
      : {}),
  });
}

/**
 * Checks what `verifyForest` leaves open and scikit-learn trees always satisfy: leaves carry
 * feature -2 and threshold -2, each split partitions its samples (`n = n_left + n_right`), and a
 * root holds at most `maxSamples` samples.
 */
function verifyNodeSemantics(forest: FlatForest): void {
  const { nodeOffsets, childrenLeft, childrenRight, feature, threshold, nNodeSamples } = forest;
  for (let t = 0; t < forest.nEstimators; t++) {
    const base = nodeOffsets[t];
    if (nNodeSamples[base] > forest.maxSamples) {
      throw new ModelFormatError(
        `invalid forest: tree ${t} root has ${nNodeSamples[base]} samples, more than maxSamples ${forest.maxSamples}`,
      );
    }
    for (let g = base; g < nodeOffsets[t + 1]; g++) {
      const where = `invalid forest: tree ${t} node ${g - base}`;
      const l = childrenLeft[g];
      if (l === TREE_LEAF) {
        if (feature[g] !== TREE_UNDEFINED || threshold[g] !== TREE_UNDEFINED) {
          throw new ModelFormatError(
            `${where} is a leaf but has feature ${feature[g]} and threshold ${threshold[g]} (expected -2, -2)`,
          );
        }
        continue;
      }
      const sum = nNodeSamples[base + l] + nNodeSamples[base + childrenRight[g]];
      if (sum !== nNodeSamples[g]) {
        throw new ModelFormatError(
          `${where} has ${nNodeSamples[g]} samples but its children have ${sum}`,
        );
      }
    }
  }
}

function readOptionalFloats(doc: JsonObject, key: string, length: number): Float64Array | null {
  if (doc[key] === null) return null;
  const values = decodeTypedArray(doc[key], 'float64', length, key);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ModelFormatError(`${key}[${i}] is ${values[i]}, expected a finite number`);
    }
  }
  return values;
}

function checkTrainingSummary(
  quantiles: Float64Array | null,
  min: Float64Array | null,
  max: Float64Array | null,
): void {
  if (quantiles !== null) {
    for (let i = 0; i < quantiles.length; i++) {
      if (!(quantiles[i] >= -1 && quantiles[i] <= 0)) {
        throw new ModelFormatError(
          `trainingScoreQuantiles[${i}] is ${quantiles[i]}, outside the score range [-1, 0]`,
        );
      }
      if (i > 0 && quantiles[i] < quantiles[i - 1]) {
        throw new ModelFormatError(
          `trainingScoreQuantiles must be non-decreasing: [${i - 1}] = ${quantiles[i - 1]} > [${i}] = ${quantiles[i]}`,
        );
      }
    }
  }
  if ((min === null) !== (max === null)) {
    throw new ModelFormatError('featureMin and featureMax must both be present or both be null');
  }
  if (min !== null && max !== null) {
    for (let j = 0; j < min.length; j++) {
      if (!(min[j] <= max[j])) {
        throw new ModelFormatError(
          `featureMin[${j}] = ${min[j]} is greater than featureMax[${j}] = ${max[j]}`,
        );
      }
    }
  }
}

/** The fitted sizes and offset must be what scikit-learn derives from the params. */
function checkParamsAgainstModel(
  params: IsolationForestOptions,
  model: { forest: FlatForest; offset: number; nTrainingSamples: number | null },
): void {
  const { forest, offset, nTrainingSamples } = model;
  if (params.nEstimators !== forest.nEstimators) {
    throw new ModelFormatError(
      `params.nEstimators is ${params.nEstimators} but the forest has ${forest.nEstimators} trees`,
    );
  }
  const mf = params.maxFeatures;
  const expectedMaxFeatures = fittedMaxFeatures(mf, forest.nFeatures);
  if (forest.maxFeatures !== expectedMaxFeatures) {
    throw new ModelFormatError(
      `maxFeatures is ${forest.maxFeatures} but params.maxFeatures gives ${expectedMaxFeatures} of ${forest.nFeatures} features`,
    );
  }
  if (nTrainingSamples !== null) {
    if (forest.maxSamples > nTrainingSamples) {
      throw new ModelFormatError(
        `maxSamples ${forest.maxSamples} exceeds nTrainingSamples ${nTrainingSamples}`,
      );
    }
    const ms = params.maxSamples;
    const expected = fittedMaxSamples(ms, nTrainingSamples);
    if (forest.maxSamples !== expected) {
      throw new ModelFormatError(
        `maxSamples is ${forest.maxSamples} but params.maxSamples gives ${expected} of ${nTrainingSamples} rows`,
      );
    }
  }
  if (params.contamination === 'auto' && offset !== -0.5) {
    throw new ModelFormatError(`offset must be -0.5 when contamination is "auto", got ${offset}`);
  }
}
