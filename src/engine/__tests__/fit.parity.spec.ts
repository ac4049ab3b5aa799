import { fitIsolationForest } from '../fit';
import { pathLengthSums, predict, scoreSamples } from '../score';
import type { DenseMatrix } from '../matrix';
import {
  forestDigest,
  loadData,
  loadFixture,
  treeOf,
  ulpDistance,
  type TrainFixture,
} from './helpers/fixtures';

/**
 * Training parity with real scikit-learn 1.2.1: every case in test/fixtures/sklearn-train/ was
 * fitted by IsolationForest(**params) in scripts/gen-sklearn-fixtures.py. Same data + same seed
 * must give the same trees bit for bit.
 */
const CASES = [
  'd2_defaults',
  'd2_bootstrap',
  'd5_mf06',
  'd5_mf2',
  'd5_mf1',
  'd2_ms64',
  'd2_ms05',
  'd2_c005',
  'c005_integer_index',
  'c01_low_branch',
  'edge_dups_const',
  'edge_dups_const_boot',
  'one_row',
  'one_row_boot',
  'tracking_30k',
  'tracking_boundary',
  'reservoir_298',
  'ms_gt_n_warning',
  'big_seed',
  'dups_heavy_boot',
  'wide_scales',
  'd40_mf03',
];

function rowsOf(x: DenseMatrix, rows: number[] | null): DenseMatrix {
  if (rows === null) return x;
  const data = new Float64Array(rows.length * x.cols);
  rows.forEach((r, i) => data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), i * x.cols));
  return { data, rows: rows.length, cols: x.cols };
}

describe.each(CASES)('training parity with scikit-learn 1.2.1: %s', (name) => {
  const fx = loadFixture<TrainFixture>(`sklearn-train/${name}.json`);
  const x = loadData(fx.data);
  const model = fitIsolationForest(x, fx.options);
  const { forest } = model;

  it('derives max_samples_, _max_features and the warnings like sklearn', () => {
    expect(forest.maxSamples).toBe(fx.fitted.max_samples_);
    expect(forest.maxFeatures).toBe(fx.fitted._max_features);
    expect(forest.nEstimators).toBe(fx.fitted.n_estimators);
    expect(model.warnings).toEqual(fx.fit_warnings);
  });

  it('draws the same estimators_features_', () => {
    const features = Array.from({ length: forest.nEstimators }, (_, t) =>
      Array.from(treeOf(forest, t).features),
    );
    expect(features).toEqual(fx.fitted.estimators_features_);
  });

  it('grows the same trees (children, feature, threshold ===, n_node_samples)', () => {
    fx.trees.forEach((t, i) => {
      const tr = treeOf(forest, i);
      expect({
        tree: i,
        children_left: Array.from(tr.childrenLeft),
        children_right: Array.from(tr.childrenRight),
        feature: Array.from(tr.feature),
        threshold: Array.from(tr.threshold),
        n_node_samples: Array.from(tr.nNodeSamples),
      }).toEqual({
        tree: i,
        children_left: t.children_left,
        children_right: t.children_right,
        feature: t.feature,
        threshold: t.threshold,
        n_node_samples: t.n_node_samples,
      });
    });
    const counts = Array.from(
      { length: forest.nEstimators },
      (_, t) => forest.nodeOffsets[t + 1] - forest.nodeOffsets[t],
    );
    expect(counts).toEqual(fx.fitted.node_counts);
    expect(forestDigest(forest)).toBe(fx.fitted.trees_sha256);
  });

  it('sets offset_ like sklearn (exact for auto, within 4 ulp for a percentile)', () => {
    if (fx.params.contamination === 'auto') expect(model.offset).toBe(-0.5);
    else expect(ulpDistance(model.offset, fx.fitted.offset_)).toBeLessThanOrEqual(4);
  });

  it('scores the training rows like sklearn', () => {
    const xs = rowsOf(x, fx.score_rows);
    // Path-length sums are exact (the fixture's are computed with glibc's log).
    expect(Array.from(pathLengthSums(forest, xs))).toEqual(fx.path_length_sum);
    const scores = scoreSamples(forest, xs);
    const worst = Math.max(...Array.from(scores, (s, i) => ulpDistance(s, fx.score_samples[i])));
    expect(worst).toBeLessThanOrEqual(4);
    expect(Array.from(predict(forest, model.offset, xs))).toEqual(fx.predict);
  });
});
