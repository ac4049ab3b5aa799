import fc from 'fast-check';
import type { ArtifactInput } from '../../src/artifact/model-artifact';
import type { FlatForest } from '../../src/engine/forest';
import { mulberry32 } from '../../src/cli/mulberry32';

/** Any finite double, bit pattern drawn uniformly (subnormals and extremes included), never -0. */
function anyFiniteDouble(rand: () => number): number {
  const bits = new Uint32Array(2);
  const view = new Float64Array(bits.buffer);
  for (;;) {
    bits[0] = Math.floor(rand() * 4294967296);
    bits[1] = Math.floor(rand() * 4294967296);
    const v = view[0];
    if (Number.isFinite(v) && !Object.is(v, -0)) return v;
  }
}

/** Shape of a hand-built forest. */
export interface ForestShape {
  readonly seed: number;
  readonly nEstimators: number;
  readonly nFeatures: number;
  readonly maxFeatures: number;
  readonly maxSamples: number;
  readonly bootstrap: boolean;
}

/**
 * Builds a valid FlatForest by hand (pre-order trees whose splits partition their samples,
 * sklearn leaf markers, arbitrary finite thresholds), without the training code.
 */
export function buildForest(shape: ForestShape): FlatForest {
  const rand = mulberry32(shape.seed);
  const left: number[] = [];
  const right: number[] = [];
  const feature: number[] = [];
  const threshold: number[] = [];
  const samples: number[] = [];
  const offsets = [0];
  const treeFeatures: number[] = [];
  const maxDepth = Math.ceil(Math.log2(Math.max(shape.maxSamples, 2)));
  for (let t = 0; t < shape.nEstimators; t++) {
    const base = left.length;
    const grow = (n: number, depth: number): number => {
      const id = left.length - base;
      left.push(-1);
      right.push(-1);
      feature.push(-2);
      threshold.push(-2);
      samples.push(n);
      if (n < 2 || depth >= maxDepth || rand() < 0.25) return id;
      const nLeft = 1 + Math.floor(rand() * (n - 1));
      feature[base + id] = Math.floor(rand() * shape.maxFeatures);
      threshold[base + id] = rand() < 0.5 ? anyFiniteDouble(rand) : rand() * 10 - 5;
      left[base + id] = grow(nLeft, depth + 1);
      right[base + id] = grow(n - nLeft, depth + 1);
      return id;
    };
    const rootSamples = shape.bootstrap
      ? 1 + Math.floor(rand() * shape.maxSamples)
      : shape.maxSamples;
    grow(rootSamples, 0);
    offsets.push(left.length);
    // A permutation prefix of the columns, like sample_without_replacement.
    const cols = Array.from({ length: shape.nFeatures }, (_, j) => j);
    for (let j = cols.length - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [cols[j], cols[k]] = [cols[k], cols[j]];
    }
    treeFeatures.push(...cols.slice(0, shape.maxFeatures));
  }
  return {
    nEstimators: shape.nEstimators,
    nFeatures: shape.nFeatures,
    maxSamples: shape.maxSamples,
    maxFeatures: shape.maxFeatures,
    treeFeatures: Int32Array.from(treeFeatures),
    nodeOffsets: Int32Array.from(offsets),
    childrenLeft: Int32Array.from(left),
    childrenRight: Int32Array.from(right),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    nNodeSamples: Int32Array.from(samples),
    // Bootstrap draws weigh more than the distinct rows they hold; otherwise weights are counts.
    weightedNNodeSamples: Float64Array.from(samples, (n, g) =>
      shape.bootstrap ? n + (g % 3) * 0.5 : n,
    ),
  };
}

/** A complete, valid artifact input around a hand-built forest. */
export function buildArtifactInput(
  shape: ForestShape,
  extras: { named?: boolean; summary?: boolean; contamination?: number | 'auto' } = {},
): ArtifactInput {
  const rand = mulberry32(shape.seed ^ 0x9e3779b9);
  const forest = buildForest(shape);
  const contamination = extras.contamination ?? 'auto';
  const offset = contamination === 'auto' ? -0.5 : -rand();
  const summary = extras.summary ?? true;
  const quantiles = Float64Array.from({ length: 101 }, () => -rand()).sort();
  const a = Float64Array.from({ length: shape.nFeatures }, () => anyFiniteDouble(rand));
  const b = Float64Array.from({ length: shape.nFeatures }, () => anyFiniteDouble(rand));
  return {
    createdAt: '2025-01-31T12:00:00.000Z',
    params: {
      nEstimators: shape.nEstimators,
      maxSamples: { count: shape.maxSamples },
      maxFeatures: { count: shape.maxFeatures },
      contamination,
      bootstrap: shape.bootstrap,
      randomState: shape.seed >>> 0,
    },
    featureNames: extras.named
      ? Array.from({ length: shape.nFeatures }, (_, j) => `feature ${j} é`)
      : null,
    nFeatures: shape.nFeatures,
    offset,
    forest,
    nTrainingSamples: shape.maxSamples + Math.floor(rand() * 1000),
    trainingScoreQuantiles: summary ? quantiles : null,
    featureMin: summary ? a.map((v, j) => Math.min(v, b[j])) : null,
    featureMax: summary ? a.map((v, j) => Math.max(v, b[j])) : null,
    source: { format: 'native' },
  };
}

/** fast-check arbitrary of small forest shapes. */
export const forestShapeArb: fc.Arbitrary<ForestShape> = fc
  .record({
    seed: fc.integer(),
    nEstimators: fc.integer({ min: 1, max: 5 }),
    nFeatures: fc.integer({ min: 1, max: 5 }),
    featureShare: fc.double({ min: 0, max: 1, noNaN: true }),
    maxSamples: fc.integer({ min: 1, max: 40 }),
    bootstrap: fc.boolean(),
  })
  .map(({ featureShare, ...s }) => ({
    ...s,
    maxFeatures: Math.max(1, Math.ceil(featureShare * s.nFeatures)),
  }));
