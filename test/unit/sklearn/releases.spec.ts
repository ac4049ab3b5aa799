// Real files from every scikit-learn release 1.3.2 to 1.9.1 (numpy 1.26 to 2.4, joblib 1.3 to
// 1.6), in every saved form (pickle protocols 2 to 5, joblib uncompressed and compress=3), score
// exactly as the release that wrote them: same trees, path lengths and predict, offset_
// bit-identical, scores within 4 ulp; 1.6+ models route NaN as scikit-learn does.
import { createHash } from 'node:crypto';
import {
  decisionFunction,
  InvalidInputError,
  pathLengthSums,
  predict,
  prepareForest,
  scoreOne,
  scoreSamples,
} from '../../../src/engine';
import { importSklearnModel } from '../../../src/sklearn';
import { ALLOWED_GLOBALS } from '../../../src/sklearn/allowlist';
import {
  atLeast,
  readReleaseCase,
  readReleaseFile,
  readReleaseManifest,
  releases,
  rowsOf,
  type ReleaseCase,
} from '../../helpers/sklearn-releases';
import { treeOf, ulpDistance } from './sklearn-fixtures';

const RELEASES = releases();
const FORMS = ['p2', 'p3', 'p4', 'p5', 'joblib', 'joblib-z3'];
const CONFIGS = [
  'default',
  'ms_int',
  'ms_float',
  'mf_frac',
  'bootstrap',
  'cont_auto',
  'cont_float',
  'named',
  'rs_instance',
];

it('covers every release the issue names, each with numpy 2 where it allows', () => {
  expect(RELEASES).toEqual(['1.3.2', '1.4.2', '1.5.2', '1.6.1', '1.7.2', '1.8.0', '1.9.1']);
  for (const release of RELEASES) {
    const { versions } = readReleaseManifest(release);
    expect(versions.sklearn).toBe(release);
    // 1.3.2 wheels are built against numpy 1.x; 1.4.2 is the first with numpy 2 support.
    expect(versions.numpy.startsWith(release === '1.3.2' ? '1.' : '2.')).toBe(true);
  }
});

it('reads exactly the globals the real files use, all allowlisted', () => {
  const used = new Set<string>();
  for (const release of RELEASES) {
    for (const file of Object.values(readReleaseManifest(release).files)) {
      for (const g of file.globals ?? []) used.add(g);
    }
  }
  expect([...used].filter((g) => !ALLOWED_GLOBALS.has(g))).toEqual([]);
  expect(used).toContain('numpy.random._mt19937.MT19937');
  expect(used).toContain('numpy._core.numeric._frombuffer');
});

describe.each(RELEASES)('scikit-learn %s', (release) => {
  const manifest = readReleaseManifest(release);
  const missing = atLeast(release, 1, 6);

  it('has every configuration in every saved form', () => {
    const cases = [...CONFIGS, ...(missing ? ['nan', 'nan_named'] : [])];
    expect([...manifest.cases].sort()).toEqual(cases.sort());
    for (const name of cases) {
      expect(Object.keys(readReleaseCase(release, name).files).sort()).toEqual([...FORMS].sort());
    }
  });

  describe.each(manifest.cases.map((c) => [c]))('%s', (name) => {
    const expected: ReleaseCase = readReleaseCase(release, name);
    const X = rowsOf(expected.X);

    it.each(FORMS)('%s', (form) => {
      const file = expected.files[form];
      const bytes = readReleaseFile(release, file);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.files[file].sha256);
      const artifact = importSklearnModel(bytes);
      const { forest } = artifact;

      expect(artifact.source.format).toBe(
        form.startsWith('joblib') ? 'sklearn-joblib' : 'sklearn-pickle',
      );
      expect(artifact.source.sklearnVersion).toBe(release);
      expect(Object.is(artifact.offset, expected.fitted.offset_)).toBe(true);
      expect(artifact.nFeatures).toBe(expected.fitted.n_features_in_);
      expect(forest.maxSamples).toBe(expected.fitted.max_samples_);
      expect(forest.maxFeatures).toBe(expected.fitted._max_features);
      expect(artifact.nTrainingSamples).toBe(expected.fitted._n_samples);
      expect(artifact.featureNames).toEqual(expected.fitted.feature_names_in_);
      if (name === 'rs_instance') {
        expect(artifact.source.sklearnParams?.random_state).toBe('RandomState');
      }

      // The trees, node by node, as scikit-learn exposes them.
      expect(forest.nEstimators).toBe(expected.trees.length);
      expected.trees.forEach((tree, t) => {
        const got = treeOf(forest, t);
        expect(got.features).toEqual(tree.features);
        expect(got.children_left).toEqual(tree.children_left);
        expect(got.children_right).toEqual(tree.children_right);
        expect(got.feature).toEqual(tree.feature);
        expect(got.threshold).toEqual(tree.threshold);
        expect(got.n_node_samples).toEqual(tree.n_node_samples);
        const lo = forest.nodeOffsets[t];
        const hi = forest.nodeOffsets[t + 1];
        if (missing) {
          const internal = (i: number): boolean => tree.children_left[i] >= 0;
          const flags = Array.from(forest.missingGoToLeft?.subarray(lo, hi) ?? []);
          expect(flags.map((f, i) => (internal(i) ? f : 0))).toEqual(
            tree.missing_go_to_left.map((f, i) => (internal(i) ? f : 0)),
          );
        } else {
          expect(forest.missingGoToLeft).toBeUndefined();
        }
      });

      // Path lengths exact, predict identical, scores within 4 ulp.
      expect(Array.from(pathLengthSums(forest, X))).toEqual(expected.path_length_sum);
      const scores = scoreSamples(forest, X);
      const decisions = decisionFunction(forest, artifact.offset, X);
      for (let i = 0; i < X.rows; i++) {
        expect(ulpDistance(scores[i], expected.score_samples[i])).toBeLessThanOrEqual(4);
        expect(Math.abs(decisions[i] - expected.decision_function[i])).toBeLessThanOrEqual(
          4 * Number.EPSILON,
        );
        const row = X.data.subarray(i * X.cols, (i + 1) * X.cols);
        expect(ulpDistance(scoreOne(forest, row), expected.score_samples[i])).toBeLessThanOrEqual(
          4,
        );
      }
      expect(Array.from(predict(forest, artifact.offset, X))).toEqual(expected.predict);
      // The same through the decision tables (trees on at most two columns), NaN rows included.
      prepareForest(forest);
      expect(Array.from(pathLengthSums(forest, X))).toEqual(expected.path_length_sum);

      // Rows a release refuses (NaN before 1.6, infinities and float32 overflow before 1.6)
      // are refused; those it accepts score the same.
      for (const special of expected.special) {
        const row = rowsOf([special.row]);
        if (special.accepted) {
          expect(
            ulpDistance(scoreSamples(forest, row)[0], special.score_samples![0]),
          ).toBeLessThanOrEqual(4);
          expect(Array.from(predict(forest, artifact.offset, row))).toEqual(special.predict);
        } else {
          expect(() => scoreSamples(forest, row)).toThrow(InvalidInputError);
        }
      }
    });
  });
});
