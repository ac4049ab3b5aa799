import { encodeArtifact } from '../../src/artifact';
import type { ArtifactInput } from '../../src/artifact/model-artifact';
import {
  fitIsolationForest,
  summarizeTraining,
  type DenseMatrix,
  type IsolationForestOptions,
} from '../../src/engine';

/** Options for {@link trainArtifact}. */
export interface TrainOptions {
  /** Columns of the generated data. @default 2 */
  readonly nFeatures?: number;
  /** Rows of the generated data. @default 200 */
  readonly rows?: number;
  /** Seed of the data generator and of the forest. @default 42 */
  readonly seed?: number;
  /** Names of the columns, or null. @default cpu_usage, memory_load (2 columns) else f0.. */
  readonly featureNames?: readonly string[] | null;
  readonly modelVersion?: string;
  readonly params?: Partial<IsolationForestOptions>;
}

/** Deterministic data: two clusters around (2, 2, ...) and (-2, -2, ...), like the seed's. */
export function clusteredRows(rows: number, cols: number, seed: number): DenseMatrix {
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const centre = i % 2 === 0 ? 2 : -2;
    for (let j = 0; j < cols; j++) data[i * cols + j] = centre + (rand() - 0.5) * 0.6;
  }
  return { data, rows, cols };
}

/** Fits a real model with the engine and encodes it as an artifact file's bytes. */
export function trainArtifact(options: TrainOptions = {}): Uint8Array {
  const nFeatures = options.nFeatures ?? 2;
  const seed = options.seed ?? 42;
  const x = clusteredRows(options.rows ?? 200, nFeatures, seed);
  const model = fitIsolationForest(x, { randomState: seed, ...options.params });
  const summary = summarizeTraining(model, x);
  const defaultNames =
    nFeatures === 2
      ? ['cpu_usage', 'memory_load']
      : Array.from({ length: nFeatures }, (_, i) => `f${i}`);
  const input: ArtifactInput = {
    createdAt: '2025-01-01T00:00:00Z',
    params: model.options,
    featureNames: options.featureNames === undefined ? defaultNames : options.featureNames,
    nFeatures,
    offset: model.offset,
    forest: model.forest,
    nTrainingSamples: model.nSamples,
    trainingScoreQuantiles: summary.scoreQuantiles,
    featureMin: summary.featureMin,
    featureMax: summary.featureMax,
    source: { format: 'native' },
    ...(options.modelVersion !== undefined ? { modelVersion: options.modelVersion } : {}),
  };
  return encodeArtifact(input);
}
