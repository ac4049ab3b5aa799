// Training parity per release: the engine (what `npm run train` runs) fitted on the same data
// with the same parameters and seed grows the same trees as each real scikit-learn release
// 1.3.2 to 1.9.1, node for node, and the same offset_. The trees come from the real files'
// JSON dumps (test/fixtures/sklearn-releases/<release>/<case>.json), written by
// scripts/sklearn-releases/gen.py in that release's venv.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitIsolationForest, type IsolationForestOptions } from '../../../src/engine';
import {
  readReleaseCase,
  readReleaseManifest,
  releases,
  RELEASES_DIR,
  rowsOf,
  type ReleaseCase,
} from '../../helpers/sklearn-releases';
import { treeOf } from './sklearn-fixtures';

/**
 * The case's parameters as engine options. scikit-learn tells a count from a fraction by
 * Python type, so the raw JSON text is read (`16` is a count, `0.5` and `1.0` fractions).
 */
function optionsOf(release: string, name: string): Partial<IsolationForestOptions> {
  const text = readFileSync(join(RELEASES_DIR, release, `${name}.json`), 'utf8');
  const raw = (key: string): string => {
    const m = new RegExp(`"params":\\{[^}]*"${key}":("[^"]*"|[^,}]+)`).exec(text);
    if (m === null) throw new Error(`${name}: no params.${key}`);
    return m[1];
  };
  const spec = (v: string): { count: number } | { fraction: number } =>
    /^-?\d+$/.test(v) ? { count: Number(v) } : { fraction: Number(v) };
  const c = readReleaseCase(release, name);
  const ms = raw('max_samples');
  const contamination = raw('contamination');
  return {
    nEstimators: Number(raw('n_estimators')),
    maxSamples: ms === '"auto"' ? 'auto' : spec(ms),
    maxFeatures: spec(raw('max_features')),
    contamination: contamination === '"auto"' ? 'auto' : Number(contamination),
    bootstrap: raw('bootstrap') === 'true',
    randomState: c.seed,
    // rs_instance: random_state=np.random.RandomState(7).
    randomStateInstance: c.params.random_state === 'RandomState',
  };
}

/** Trees of the engine's fit against the release's, node for node (flags at internal nodes). */
function expectSameTrees(
  model: ReturnType<typeof fitIsolationForest>,
  expected: ReleaseCase,
): void {
  expect(model.forest.nEstimators).toBe(expected.trees.length);
  expected.trees.forEach((tree, t) => {
    const got = treeOf(model.forest, t);
    expect(got.features).toEqual(tree.features);
    expect(got.children_left).toEqual(tree.children_left);
    expect(got.children_right).toEqual(tree.children_right);
    expect(got.feature).toEqual(tree.feature);
    expect(got.threshold).toEqual(tree.threshold);
    expect(got.n_node_samples).toEqual(tree.n_node_samples);
    const missing = model.forest.missingGoToLeft;
    if (missing !== undefined) {
      const lo = model.forest.nodeOffsets[t];
      const internal = (i: number): boolean => tree.children_left[i] >= 0;
      expect(
        Array.from(missing.subarray(lo, lo + tree.children_left.length), (f, i) =>
          internal(i) ? f : 0,
        ),
      ).toEqual(tree.missing_go_to_left.map((f, i) => (internal(i) ? f : 0)));
    }
  });
}

describe('training on data with missing values (scikit-learn 1.9 behaviour)', () => {
  it.each(['nan', 'nan_named'])(
    '%s: same trees, missing_go_to_left and offset_ as 1.9.1',
    (name) => {
      const expected = readReleaseCase('1.9.1', name);
      const model = fitIsolationForest(rowsOf(expected.X_train), optionsOf('1.9.1', name));
      expect(model.forest.missingGoToLeft).toBeDefined();
      expect(Object.is(model.offset, expected.fitted.offset_)).toBe(true);
      expectSameTrees(model, expected);
    },
  );

  // 1.6 to 1.8 never count missing values in the random splitter (no missing-value mask under
  // IsolationForest): NaN rows go right while training, a node whose first row is NaN becomes a
  // leaf, and no extra draw is made. 1.9 counts them and draws their side. The engine follows
  // 1.9, so those releases' NaN-trained trees differ; finite data grow the same trees in all.
  it.each(['1.6.1', '1.7.2', '1.8.0'])(
    '%s grows other trees on NaN data than 1.9.1 (and the engine)',
    (release) => {
      for (const name of ['nan', 'nan_named']) {
        const old = readReleaseCase(release, name).trees;
        const newest = readReleaseCase('1.9.1', name).trees;
        expect(old).not.toEqual(newest);
      }
    },
  );
});

describe.each(releases())('scikit-learn %s', (release) => {
  const cases = readReleaseManifest(release).cases.filter(
    (name) => !readReleaseCase(release, name).data.startsWith('nan'),
  );

  it.each(cases)('%s: same trees, seeds and offset_', (name) => {
    const expected = readReleaseCase(release, name);
    const model = fitIsolationForest(rowsOf(expected.X_train), optionsOf(release, name));
    expect(Object.is(model.offset, expected.fitted.offset_)).toBe(true);
    expect(model.forest.maxSamples).toBe(expected.fitted.max_samples_);
    expect(model.forest.maxFeatures).toBe(expected.fitted._max_features);
    expect(model.forest.missingGoToLeft).toBeUndefined();
    expectSameTrees(model, expected);
  });
});
