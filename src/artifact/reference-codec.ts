import { ModelFormatError } from '../engine/errors';
import type { BinnedDistribution, TrainingReference } from '../monitoring/training-reference';
import { PERCENTILE_STEPS } from '../monitoring/training-reference';
import type { EncodedArray } from './artifact-format';
import { describeJson } from './describe-json';
import { decodeTypedArray, encodeTypedArray } from './typed-array-codec';

type JsonObject = Record<string, unknown>;

/** A {@link BinnedDistribution} as written in the file. */
export interface EncodedBins {
  readonly edges: EncodedArray;
  readonly proportions: EncodedArray;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly median: number;
}

/** The `reference` member (format version 2) as written in the file. */
export interface EncodedReference {
  readonly rows: number;
  readonly anomalyRate: number;
  readonly percentileScores: EncodedArray;
  readonly score: EncodedBins;
  readonly features: readonly EncodedBins[];
  readonly sample: { readonly rows: number; readonly values: EncodedArray } | null;
}

const BIN_MEMBERS = ['edges', 'proportions', 'mean', 'std', 'min', 'max', 'median'];
const REFERENCE_MEMBERS = [
  'rows',
  'anomalyRate',
  'percentileScores',
  'score',
  'features',
  'sample',
];
/** Largest bin count a reference may have (quantile bins are 10 to 20). */
const MAX_BINS = 20;
/** Tolerance on the sum of a bin's shares (each is a count / n rounded once). */
const SHARE_SUM_TOLERANCE = 1e-9;

/** The `reference` member for the file (members in file order). */
export function encodeReference(ref: TrainingReference): EncodedReference {
  const bins = (b: BinnedDistribution): EncodedBins => ({
    edges: encodeTypedArray(b.edges),
    proportions: encodeTypedArray(b.proportions),
    mean: b.mean,
    std: b.std,
    min: b.min,
    max: b.max,
    median: b.median,
  });
  return {
    rows: ref.rows,
    anomalyRate: ref.anomalyRate,
    percentileScores: encodeTypedArray(ref.percentileScores),
    score: bins(ref.score),
    features: ref.features.map(bins),
    sample:
      ref.sample === null
        ? null
        : { rows: ref.sample.rows, values: encodeTypedArray(ref.sample.data) },
  };
}

/**
 * Reads and checks the `reference` member: every array's length, finite values, strictly
 * increasing edges, shares in [0, 1] summing to 1, `min <= median <= max`, a non-decreasing
 * percentile table in [0, 1], one binned distribution per feature.
 *
 * @throws ModelFormatError naming the offending member
 */
export function decodeReference(value: unknown, nFeatures: number): TrainingReference {
  const obj = object(value, 'reference');
  members(obj, REFERENCE_MEMBERS, 'reference');
  const rows = obj.rows;
  if (typeof rows !== 'number' || !Number.isSafeInteger(rows) || rows < 1) {
    throw new ModelFormatError(
      `reference.rows must be a positive integer, got ${describeJson(rows)}`,
    );
  }
  const anomalyRate = unitNumber(obj.anomalyRate, 'reference.anomalyRate');
  const percentileScores = floats(
    obj.percentileScores,
    PERCENTILE_STEPS,
    'reference.percentileScores',
  );
  for (let k = 0; k < percentileScores.length; k++) {
    if (!(percentileScores[k] >= 0 && percentileScores[k] <= 1)) {
      throw new ModelFormatError(
        `reference.percentileScores[${k}] is ${percentileScores[k]}, outside the anomaly score range [0, 1]`,
      );
    }
    if (k > 0 && percentileScores[k] < percentileScores[k - 1]) {
      throw new ModelFormatError(`reference.percentileScores must be non-decreasing (at ${k})`);
    }
  }
  const score = bins(obj.score, 'reference.score');
  if (!Array.isArray(obj.features) || obj.features.length !== nFeatures) {
    throw new ModelFormatError(
      `reference.features must be an array of ${nFeatures} binned distributions`,
    );
  }
  const features = Object.freeze(
    (obj.features as unknown[]).map((f, j) => bins(f, `reference.features[${j}]`)),
  );
  let sample: TrainingReference['sample'] = null;
  if (obj.sample !== null) {
    const s = object(obj.sample, 'reference.sample');
    members(s, ['rows', 'values'], 'reference.sample');
    const sampleRows = s.rows;
    if (
      typeof sampleRows !== 'number' ||
      !Number.isSafeInteger(sampleRows) ||
      sampleRows < 1 ||
      sampleRows > rows
    ) {
      throw new ModelFormatError(
        `reference.sample.rows must be an integer in [1, ${rows}], got ${describeJson(sampleRows)}`,
      );
    }
    const data = floats(s.values, sampleRows * nFeatures, 'reference.sample.values');
    sample = Object.freeze({ data, rows: sampleRows, cols: nFeatures });
  }
  return Object.freeze({ rows, anomalyRate, percentileScores, score, features, sample });
}

function bins(value: unknown, path: string): BinnedDistribution {
  const obj = object(value, path);
  members(obj, BIN_MEMBERS, path);
  const edgesValue = object(obj.edges, `${path}.edges`);
  const length = edgesValue.length;
  if (
    typeof length !== 'number' ||
    !Number.isSafeInteger(length) ||
    length < 0 ||
    length >= MAX_BINS
  ) {
    throw new ModelFormatError(`${path}.edges must hold 0 to ${MAX_BINS - 1} values`);
  }
  const edges = floats(obj.edges, length, `${path}.edges`);
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i] > edges[i - 1])) {
      throw new ModelFormatError(`${path}.edges must be strictly increasing (at ${i})`);
    }
  }
  const proportions = floats(obj.proportions, length + 1, `${path}.proportions`);
  let sum = 0;
  for (let i = 0; i < proportions.length; i++) {
    if (!(proportions[i] >= 0 && proportions[i] <= 1)) {
      throw new ModelFormatError(`${path}.proportions[${i}] is ${proportions[i]}, outside [0, 1]`);
    }
    sum += proportions[i];
  }
  if (Math.abs(sum - 1) > SHARE_SUM_TOLERANCE) {
    throw new ModelFormatError(`${path}.proportions sum to ${sum}, expected 1`);
  }
  const [mean, std, min, max, median] = ['mean', 'std', 'min', 'max', 'median'].map((key) => {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ModelFormatError(`${path}.${key} must be a finite number, got ${describeJson(v)}`);
    }
    return v;
  });
  if (!(std >= 0) || !(min <= median && median <= max) || !(min <= mean && mean <= max)) {
    throw new ModelFormatError(
      `${path} has inconsistent statistics (need std >= 0 and min <= mean, median <= max)`,
    );
  }
  return Object.freeze({ edges, proportions, mean, std, min, max, median });
}

function floats(value: unknown, length: number, path: string): Float64Array {
  const values = decodeTypedArray(value, 'float64', length, path);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ModelFormatError(`${path}[${i}] is ${values[i]}, expected a finite number`);
    }
  }
  return values;
}

function unitNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ModelFormatError(`${path} must be a number in [0, 1], got ${describeJson(value)}`);
  }
  return value;
}

function object(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(`${path} must be an object, got ${describeJson(value)}`);
  }
  return value as JsonObject;
}

function members(obj: JsonObject, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key))
      throw new ModelFormatError(`${where} has an unknown member '${key}'`);
  }
  for (const key of allowed) {
    if (!(key in obj)) throw new ModelFormatError(`${where} is missing the member '${key}'`);
  }
}
