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
    expect(model.forest.nEstimators).toBe(expected.trees.length);
    expected.trees.forEach((tree, t) => {
      const got = treeOf(model.forest, t);
      expect(got.features).toEqual(tree.features);
      expect(got.children_left).toEqual(tree.children_left);
      expect(got.children_right).toEqual(tree.children_right);
      expect(got.feature).toEqual(tree.feature);
      expect(got.threshold).toEqual(tree.threshold);
      expect(got.n_node_samples).toEqual(tree.n_node_samples);
    });
  });
});
