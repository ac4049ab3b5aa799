import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeArtifact } from '../../../src/artifact';
import type { ModelArtifact } from '../../../src/artifact/model-artifact';
import { main as score } from '../../../src/cli/score';
import { main as train } from '../../../src/cli/train';
import { fitIsolationForest } from '../../../src/engine/fit';
import { matrixFromRows } from '../../../src/engine/matrix';
import { predict } from '../../../src/engine/score';
import { runCliMain } from '../../helpers/run-cli-main';
import { makeTempDir } from '../../helpers/temp-dir';

const dir = makeTempDir('train-cli');
afterAll(() => dir.remove());

function csv(name: string, text: string): string {
  const path = dir.file(name);
  writeFileSync(path, text);
  return path;
}

const load = (path: string): ModelArtifact => decodeArtifact(readFileSync(path));

/** 300 rows: a Gaussian-ish blob from a fixed formula, plus columns that are not features. */
function table(): { text: string; rows: number[][] } {
  const rows: number[][] = [];
  const lines = ['id,a,note,b,c'];
  for (let i = 0; i < 300; i++) {
    const a = Math.sin(i * 12.9898) * 3;
    const b = Math.cos(i * 78.233) * 2;
    const c = ((i * 37) % 101) / 10;
    rows.push([a, b, c]);
    lines.push(`${i},${a},"host ${i % 7}",${b},${c}`);
  }
  return { text: `${lines.join('\n')}\n`, rows };
}

describe('train CLI: the default model', () => {
  it('trains on the built-in server data with seed 42 and keeps the seed contract', async () => {
    const out = dir.file('default/anomaly-detector.json');
    const run = await runCliMain(train, ['--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Trained an Isolation Forest and wrote .*anomaly-detector.json\n/);
    expect(run.stdout).toMatch(/ {2}rows {12}1,000\n/);
    expect(run.stdout).toMatch(/ {2}features {8}2: cpu_usage, memory_load\n/);
    expect(run.stdout).toMatch(/random_state 42\)/);
    expect(run.stdout).toMatch(/ {2}offset {10}-0.5 \(contamination auto\)\n/);
    expect(run.stdout).toMatch(/ {2}flagged {9}\d+\.\d\d% of the training rows predict -1\n/);
    const model = load(out);
    expect(model.featureNames).toEqual(['cpu_usage', 'memory_load']);
    expect(model.params).toEqual({
      nEstimators: 100,
      maxSamples: 'auto',
      maxFeatures: { fraction: 1 },
      contamination: 'auto',
      bootstrap: false,
      randomState: 42,
    });
    expect(model.nTrainingSamples).toBe(1000);
    expect(model.source).toEqual({ format: 'native' });
    const p = predict(
      model.forest,
      model.offset,
      matrixFromRows([
        [-5.5, 5.2],
        [2.1, 2.1],
      ]),
    );
    expect([...p]).toEqual([-1, 1]);
  });
});

describe('train CLI: CSV data and options', () => {
  const { text, rows } = table();
  const data = csv('table.csv', text);

  it('trains on the columns named by --features, in that order, and records their names', async () => {
    const out = dir.file('picked.json');
    const run = await runCliMain(train, ['--data', data, '--features', 'c,a', '--out', out]);
    expect(run.code).toBe(0);
    const model = load(out);
    expect(model.featureNames).toEqual(['c', 'a']);
    // Same trees as fitting the engine on exactly those columns.
    const expected = fitIsolationForest(matrixFromRows(rows.map((r) => [r[2], r[0]])), {
      randomState: 42,
    });
    expect(Buffer.from(model.forest.threshold.buffer)).toEqual(
      Buffer.from(expected.forest.threshold.buffer),
    );
    expect(Buffer.from(model.forest.treeFeatures.buffer)).toEqual(
      Buffer.from(expected.forest.treeFeatures.buffer),
    );
    expect(model.featureMin?.[1]).toBe(Math.min(...rows.map((r) => r[0])));
  });

  it('maps every training flag to the engine options, counts and fractions as in scikit-learn', async () => {
    const out = dir.file('flags.json');
    const run = await runCliMain(train, [
      ...['--data', data, '--features', 'a,b,c', '--out', out],
      ...['--n-estimators', '7', '--max-samples', '0.5', '--max-features', '1'],
      ...['--contamination', '0.1', '--bootstrap', '--random-state', '7'],
      ...['--model-version', 'capacity-2025.01'],
    ]);
    expect(run.code).toBe(0);
    const model = load(out);
    expect(model.params).toEqual({
      nEstimators: 7,
      maxSamples: { fraction: 0.5 },
      maxFeatures: { count: 1 },
      contamination: 0.1,
      bootstrap: true,
      randomState: 7,
    });
    expect(model.forest.maxSamples).toBe(150);
    expect(model.forest.maxFeatures).toBe(1);
    expect(model.modelVersion).toBe('capacity-2025.01');
    expect(run.stdout).toMatch(/ {2}model version {3}capacity-2025\.01\n/);
    const expected = fitIsolationForest(matrixFromRows(rows), model.params);
    expect(model.offset).toBe(expected.offset);

    const all = dir.file('all-features.json');
    await runCliMain(train, [
      ...['--data', data, '--features', 'a,b,c', '--out', all, '--max-features', '1.0'],
    ]);
    expect(load(all).forest.maxFeatures).toBe(3);
  });

  it('round-trips: the score CLI reproduces the engine on the training file', async () => {
    const model = dir.file('roundtrip.json');
    const data2 = csv('two.csv', `a,b\n${rows.map((r) => `${r[0]},${r[1]}`).join('\n')}\n`);
    expect((await runCliMain(train, ['--data', data2, '--out', model])).code).toBe(0);
    const run = await runCliMain(score, ['--model', model, '--data', data]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(301);
    const m = load(model);
    const expected = predict(m.forest, m.offset, matrixFromRows(rows.map((r) => [r[0], r[1]])));
    expect(lines.slice(1).map((l) => Number(l.split(',')[2]))).toEqual([...expected]);
  });

  it('warns on stderr when --max-samples exceeds the rows, like scikit-learn', async () => {
    const out = dir.file('warn.json');
    const run = await runCliMain(train, [
      ...['--data', data, '--features', 'a', '--out', out, '--max-samples', '1000'],
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^train: warning: max_samples \(1000\) is greater than the total/);
    expect(load(out).forest.maxSamples).toBe(300);
  });

  it('reports reading and fitting progress on stderr for long files', async () => {
    const lines = ['x'];
    for (let i = 0; i < 260_000; i++) lines.push(String(i % 1000));
    const long = csv('long.csv', `${lines.join('\n')}\n`);
    const run = await runCliMain(train, [
      ...['--data', long, '--out', dir.file('long.json'), '--n-estimators', '1'],
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^train: 250,000 rows \(\d+% of the file\), [\d.]+ s\n/);
    expect(run.stderr).toMatch(/\ntrain: fitting 1 trees on 260,000 rows, [\d.]+ s\n/);
    expect(run.stdout).toMatch(/ {2}rows {12}260,000\n/);
  });
});

describe('train CLI: bad data exits 1 and leaves the previous model in place', () => {
  it.each([
    ['an empty file', '', /bad.csv is empty: expected a header row/],
    ['a header only', 'a,b\n', /bad.csv has a header but no data rows/],
    ['a ragged row', 'a,b\n1,2\n3,4,5\n', /bad.csv line 3: 3 fields, but the header has 2/],
    [
      'a non-numeric cell',
      'a,b\n1,2\n3,n/a\n',
      /bad.csv line 3, column 2 \("b"\): "n\/a" is not a number/,
    ],
    [
      'a non-finite cell',
      'a,b\n1,Infinity\n',
      /line 2, column 2 \("b"\): "Infinity" is not a finite number/,
    ],
    [
      'a float32 overflow',
      'a,b\n-4e38,1\n',
      /line 2, column 1 \("a"\): -4e38 is too large for float32/,
    ],
    ['a repeated header name', 'a,a\n1,2\n', /bad.csv line 1: the header repeats "a"/],
    ['an unnamed column', 'a,\n1,2\n', /bad.csv line 1: column 2 has no name/],
  ])('%s', async (_name, text, message) => {
    const out = dir.file('kept.json');
    writeFileSync(out, 'previous model');
    const run = await runCliMain(train, ['--data', csv('bad.csv', text), '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(readFileSync(out, 'utf8')).toBe('previous model');
    expect(run.stdout).toBe('');
  });

  it('names an unknown --features column', async () => {
    const out = dir.file('none.json');
    const run = await runCliMain(train, [
      ...['--data', csv('ab.csv', 'a,b\n1,2\n'), '--features', 'a,cpu', '--out', out],
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /ab.csv line 1: no column named "cpu" \(--features; the header has "a", "b"\)/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('reports a missing data file', async () => {
    const run = await runCliMain(train, [
      '--data',
      dir.file('absent.csv'),
      '--out',
      dir.file('x.json'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot read .*absent.csv: no such file or directory/);
  });
});

describe('train CLI: command line', () => {
  it.each([
    [['--max-samples', '0'], /--max-samples must be a whole number >= 1, got "0"/],
    [['--max-samples', '1.5'], /--max-samples must be auto, a count .* or a fraction in \(0, 1\]/],
    [['--max-features', 'all'], /--max-features must be a count/],
    [
      ['--contamination', '0.6'],
      /--contamination must be auto or a number in \(0, 0.5\], got "0.6"/,
    ],
    [['--random-state=-1'], /--random-state must be an integer in \[0, 4294967295\], got "-1"/],
    [['--n-estimators', '2.5'], /--n-estimators must be a whole number >= 1/],
    [['--model-version', 'my model'], /--model-version must be 1-128 letters/],
    [['--features', 'a,a'], /--features names "a" twice/],
    [['--bootstrap=yes'], /Option '--bootstrap' does not take an argument/],
    [['--epochs', '3'], /Unknown option '--epochs'/],
    [['--max-features', '3'], /The 'maxFeatures' count 3 exceeds the 2 columns of X/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const run = await runCliMain(train, [...argv, '--out', dir.file('usage.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(dir.file('usage.json'))).toBe(false);
  });

  it('prints usage with --help', async () => {
    const run = await runCliMain(train, ['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--max-samples V +rows per tree: auto = min\(256, rows\)/);
  });
});
