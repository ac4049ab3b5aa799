// `npm run score` with a CSV holding empty cells: for a scikit-learn 1.9.1 model (missing-value
// support) an empty cell is a missing value and the outputs are scikit-learn's; for a 1.5.2
// model the empty cell is an error naming the line and column. `npm run train` on such a CSV
// grows scikit-learn 1.9.1's trees. `npm run import -- --reference` and `npm run report -- --data`
// read such CSVs the same way.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeArtifact } from '../../../src/artifact';
import { main as importMain } from '../../../src/cli/import';
import { main as reportMain } from '../../../src/cli/report';
import { main } from '../../../src/cli/score';
import { main as train } from '../../../src/cli/train';
import { acceptsMissingValues, scoreSamples } from '../../../src/engine';
import {
  readReleaseCase,
  type JsonCell,
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

/** Mean (and mean magnitude) of a column's present (non-null) cells, and the share of null ones. */
function columnStats(rows: readonly (readonly JsonCell[])[], j: number) {
  const present = rows.map((r) => r[j]).filter((v): v is number => typeof v === 'number');
  return {
    mean: present.reduce((a, b) => a + b, 0) / present.length,
    meanAbs: present.reduce((a, b) => a + Math.abs(b), 0) / present.length,
    missingShare: (rows.length - present.length) / rows.length,
  };
}

/** The `missing` cell of a feature's row in the report's drift table, in percent. */
function reportedMissingPercent(html: string, name: string): number {
  const row = new RegExp(
    `<tr[^>]*><td>${name}</td><td class="num">[^<]*</td><td class="num">[^<]*</td><td class="num">([^<]*)%</td>`,
  ).exec(html);
  if (row === null) throw new Error(`no drift table row for ${name}`);
  return Number(row[1]);
}

describe('import --reference and report --data with empty cells', () => {
  it('read them as missing values for a scikit-learn 1.9.1 model', async () => {
    const c = readReleaseCase('1.9.1', 'nan_named');
    const names = c.fitted.feature_names_in_ ?? [];
    const data = csvOf(c);
    const out = dir.file('nan-imported.json');
    const run = await runCliMain(importMain, [
      ...['--model', modelOf('1.9.1', c), '--out', out, '--reference', data],
    ]);
    expect(run.stderr).toBe(run.code === 0 ? run.stderr : '');
    expect(run.code).toBe(0);
    const reference = decodeArtifact(readFileSync(out)).reference;
    expect(reference?.rows).toBe(c.X.length);
    // Each feature's statistics leave its missing cells out, as np.nanmean would.
    names.forEach((_, j) => {
      const { mean, meanAbs } = columnStats(c.X, j);
      // Within what summing the column in another order may change (the column holds 1e10 and
      // -1e10); a missing cell counted as 0 would move each mean by more than 5%.
      expect(Math.abs(reference!.features[j].mean - mean)).toBeLessThanOrEqual(
        64 * Number.EPSILON * meanAbs,
      );
    });

    const html = dir.file('nan-report.html');
    const report = await runCliMain(reportMain, ['--model', out, '--data', data, '--out', html]);
    expect(report.stderr).toBe(report.code === 0 ? report.stderr : '');
    expect(report.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    names.forEach((name, j) => {
      const expected = 100 * columnStats(c.X, j).missingShare;
      expect(expected).toBeGreaterThan(0);
      expect(Math.abs(reportedMissingPercent(page, name) - expected)).toBeLessThan(0.01 * expected);
    });
  });

  it('refuse them for a model without missing-value support, naming line and column', async () => {
    const named = readReleaseCase('1.5.2', 'named');
    const path = dir.file('gap-reference.csv');
    writeFileSync(path, 'cpu_usage,memory_load,disk_io\n1,2,3\n4,5,\n');
    const out = dir.file('gap-imported.json');
    const imported = await runCliMain(importMain, [
      ...['--model', modelOf('1.5.2', named), '--out', out, '--reference', path],
    ]);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain(
      'line 3, column 3 ("disk_io"): empty cell, expected a number',
    );
    // A pickle holds no training reference: there is nothing to compare rows with.
    const unreferenced = await runCliMain(reportMain, [
      ...['--model', modelOf('1.5.2', named), '--data', path, '--out', dir.file('none.html')],
    ]);
    expect(unreferenced.code).toBe(1);
    expect(unreferenced.stderr).toContain('has no training reference');
    expect(existsSync(dir.file('none.html'))).toBe(false);
    const complete = dir.file('complete-reference.csv');
    writeFileSync(complete, 'cpu_usage,memory_load,disk_io\n1,2,3\n4,5,6\n');
    const fine = await runCliMain(importMain, [
      ...['--model', modelOf('1.5.2', named), '--out', out, '--reference', complete],
    ]);
    expect(fine.code).toBe(0);
    const report = await runCliMain(reportMain, [
      ...['--model', out, '--data', path, '--out', dir.file('gap-report.html')],
    ]);
    expect(report.code).toBe(1);
    expect(report.stderr).toContain('line 3, column 3 ("disk_io"): empty cell, expected a number');
  });
});
