// `npm run score` with a CSV holding empty cells: for a scikit-learn 1.9.1 model (missing-value
// support) an empty cell is a missing value and the outputs are scikit-learn's; for a 1.5.2
// model the empty cell is an error naming the line and column. `npm run train` on such a CSV
// grows scikit-learn 1.9.1's trees.
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeArtifact } from '../../../src/artifact';
import { main } from '../../../src/cli/score';
import { main as train } from '../../../src/cli/train';
import { acceptsMissingValues, scoreSamples } from '../../../src/engine';
import {
  readReleaseCase,
  readReleaseFile,
  rowsOf,
  type ReleaseCase,
} from '../../helpers/sklearn-releases';
import { runCliMain } from '../../helpers/run-cli-main';
import { makeTempDir } from '../../helpers/temp-dir';
import { treeOf, ulpDistance } from '../sklearn/sklearn-fixtures';

const dir = makeTempDir('score-missing');
afterAll(() => dir.remove());

/** The case's rows as CSV with its feature names; NaN as an empty cell. */
function csvOf(c: ReleaseCase): string {
  const path = dir.file(`${c.name}-${c.versions.sklearn}.csv`);
  const header = (c.fitted.feature_names_in_ ?? []).join(',');
  const rows = c.X.map((r) => r.map((v) => (typeof v === 'number' ? String(v) : '')).join(','));
  writeFileSync(path, `${header}\n${rows.join('\n')}\n`);
  return path;
}

function modelOf(release: string, c: ReleaseCase): string {
  const path = dir.file(`${c.name}-${release}.joblib`);
  writeFileSync(path, readReleaseFile(release, c.files.joblib));
  return path;
}

describe('score CLI with empty cells', () => {
  it('scores them as missing values for a scikit-learn 1.9.1 model, as scikit-learn does', async () => {
    const expected = readReleaseCase('1.9.1', 'nan_named');
    const data = csvOf(expected);
    expect(expected.X.some((r) => r.includes(null))).toBe(true);
    const run = await runCliMain(main, ['--model', modelOf('1.9.1', expected), '--data', data]);
    expect(run.code).toBe(0);
    const out = run.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    expect(out.map((r) => r[2])).toEqual(expected.predict);
    out.forEach((r, i) =>
      expect(ulpDistance(r[0], expected.score_samples[i])).toBeLessThanOrEqual(4),
    );
  });

  it('refuses them for a model without missing-value support, naming line and column', async () => {
    const named = readReleaseCase('1.5.2', 'named');
    const path = dir.file('gap.csv');
    writeFileSync(path, 'cpu_usage,memory_load,disk_io\n1,2,3\n4,,6\n');
    const run = await runCliMain(main, ['--model', modelOf('1.5.2', named), '--data', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('line 3, column 2 ("memory_load"): empty cell, expected a number');
  });
});

describe('train CLI with empty cells (npm run train)', () => {
  it('grows scikit-learn 1.9.1 trees on data with missing values, and a model that accepts them', async () => {
    const expected = readReleaseCase('1.9.1', 'nan_named');
    const names = expected.fitted.feature_names_in_ ?? [];
    const data = dir.file('train-nan.csv');
    const rows = expected.X_train.map((r) =>
      r.map((v) => (typeof v === 'number' ? String(v) : '')).join(','),
    );
    writeFileSync(data, `${names.join(',')}\n${rows.join('\n')}\n`);
    const out = dir.file('trained.json');
    const run = await runCliMain(train, [
      ...['--data', data, '--out', out, '--n-estimators', '3', '--max-features', '0.67'],
      ...['--contamination', '0.15', '--random-state', '0'],
    ]);
    expect(run.stderr).toBe(run.code === 0 ? run.stderr : '');
    expect(run.code).toBe(0);
    const artifact = decodeArtifact(readFileSync(out));
    expect(artifact.formatVersion).toBe(2);
    expect(acceptsMissingValues(artifact.forest)).toBe(true);
    expect(Object.is(artifact.offset, expected.fitted.offset_)).toBe(true);
    expected.trees.forEach((tree, t) => {
      const got = treeOf(artifact.forest, t);
      expect(got.children_left).toEqual(tree.children_left);
      expect(got.feature).toEqual(tree.feature);
      expect(got.threshold).toEqual(tree.threshold);
      expect(got.n_node_samples).toEqual(tree.n_node_samples);
    });
    // And it scores the rows with missing values as scikit-learn 1.9.1 does.
    const scores = scoreSamples(artifact.forest, rowsOf(expected.X));
    scores.forEach((s, i) =>
      expect(ulpDistance(s, expected.score_samples[i])).toBeLessThanOrEqual(4),
    );
  });
});
