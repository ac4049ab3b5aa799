import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { encodeArtifact, type ArtifactInput } from '../../../src/artifact';
import { main } from '../../../src/cli/score';
import { matrixFromRows } from '../../../src/engine/matrix';
import { decisionFunction, predict, scoreSamples } from '../../../src/engine/score';
import { buildArtifactInput } from '../../helpers/random-artifact';
import { runCliMain } from '../../helpers/run-cli-main';
import { makeTempDir } from '../../helpers/temp-dir';

const dir = makeTempDir('score-cli');
afterAll(() => dir.remove());

const shape = {
  seed: 42,
  nEstimators: 20,
  nFeatures: 2,
  maxFeatures: 2,
  maxSamples: 32,
  bootstrap: false,
};
// Thresholds of the hand-built trees mostly lie in [-5, 5], so these rows take varied paths.
const named = {
  ...buildArtifactInput(shape, { contamination: 0.1 }),
  featureNames: ['cpu_usage', 'memory_load'],
};
const unnamed = buildArtifactInput(shape, { contamination: 0.1 });
const namedPath = dir.file('named.json');
const unnamedPath = dir.file('unnamed.json');
writeFileSync(namedPath, encodeArtifact(named));
writeFileSync(unnamedPath, encodeArtifact(unnamed));

const ROWS = [
  [2.1, 2.1],
  [-5.5, 5.2],
  [0, 0],
  [1e-300, -4.75],
  [3.4e38, -3.4e38],
];

function csv(name: string, text: string): string {
  const path = dir.file(name);
  writeFileSync(path, text);
  return path;
}

/** What the engine itself says for these rows, formatted as the CLI must print it. */
function expectedOutput(model: ArtifactInput, rows: number[][]): string {
  const x = matrixFromRows(rows);
  const s = scoreSamples(model.forest, x);
  const d = decisionFunction(model.forest, model.offset, x);
  const p = predict(model.forest, model.offset, x);
  const lines = rows.map((_, i) => `${s[i]},${d[i]},${p[i]}`);
  return `score_samples,decision_function,prediction\n${lines.join('\n')}\n`;
}

describe('score CLI: happy paths', () => {
  it('writes score_samples, decision_function and prediction exactly as the engine computes them', async () => {
    const data = csv('plain.csv', `a,b\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
    const run = await runCliMain(main, ['--model', unnamedPath, '--data', data]);
    expect(run).toMatchObject({ code: 0, stdout: expectedOutput(unnamed, ROWS) });
    expect(run.stderr).toMatch(/^score: 5 rows in [\d.]+ s, \d+ \(\d+\.\d\d%\) predicted -1\n$/);
    // Shortest round-trip form: parsing the text gives back the same doubles.
    const line = run.stdout.split('\n')[4].split(',').map(Number);
    const exact = scoreSamples(unnamed.forest, matrixFromRows([ROWS[3]]))[0];
    expect(Object.is(line[0], exact)).toBe(true);
  });

  it('picks a named model’s columns by name, in the model’s order, ignoring other columns', async () => {
    const header = 'id,memory_load,host,cpu_usage';
    const body = ROWS.map((r, i) => `${i},${r[1]},"web-${i}, rack 2",${r[0]}`).join('\r\n');
    const data = csv('named.csv', `${header}\r\n${body}\r\n`);
    const out = dir.file('out/named-scores.csv');
    const run = await runCliMain(main, ['--model', namedPath, '--data', data, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/written to .*named-scores.csv/);
    expect(readFileSync(out, 'utf8')).toBe(expectedOutput(named, ROWS));
  });

  it('selects columns with --features for a model without names', async () => {
    const data = csv('extra.csv', `x,note,y\n${ROWS.map((r) => `${r[0]},n,${r[1]}`).join('\n')}\n`);
    const run = await runCliMain(main, [
      '--model',
      unnamedPath,
      '--data',
      data,
      '--features',
      'x,y',
    ]);
    expect(run).toMatchObject({ code: 0, stdout: expectedOutput(unnamed, ROWS) });
  });

  it('accepts --features that repeat the model’s own names', async () => {
    const data = csv('same.csv', 'cpu_usage,memory_load\n1,2\n');
    const run = await runCliMain(main, [
      ...['--model', namedPath, '--data', data],
      ...['--features', 'cpu_usage,memory_load'],
    ]);
    expect(run).toMatchObject({ code: 0, stdout: expectedOutput(named, [[1, 2]]) });
  });

  it('reports progress on stderr for long files, and scores them in bounded batches', async () => {
    const n = 260_000;
    const lines = ['a,b'];
    for (let i = 0; i < n; i++) lines.push(`${(i % 97) / 10 - 5},${(i % 89) / 10 - 4}`);
    const data = csv('long.csv', `${lines.join('\n')}\n`);
    const out = dir.file('long-scores.csv');
    const run = await runCliMain(main, ['--model', unnamedPath, '--data', data, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^score: 2\d\d,\d{3} rows \(\d+% of the file\), [\d.]+ s\n/);
    expect(run.stderr).toMatch(/score: 260,000 rows in /);
    const output = readFileSync(out, 'utf8').split('\n');
    expect(output).toHaveLength(n + 2);
    // Row 9000 lies in the second batch: same values as scoring it alone.
    const row = [(9000 % 97) / 10 - 5, (9000 % 89) / 10 - 4];
    expect(output[9001]).toBe(expectedOutput(unnamed, [row]).split('\n')[1]);
  });
});

describe('score CLI: bad input exits non-zero, names the place, writes nothing', () => {
  const cases: [string, string, RegExp][] = [
    ['an empty file', '', /bad.csv is empty: expected a header row/],
    ['a header without rows', 'a,b\n', /bad.csv has a header but no data rows/],
    ['a ragged row', 'a,b\n1,2\n3\n', /bad.csv line 3: 1 fields, but the header has 2/],
    [
      'a non-numeric cell',
      'a,b\n1,2\n3,high\n',
      /bad.csv line 3, column 2 \("b"\): "high" is not a number/,
    ],
    [
      'an empty cell',
      'a,b\n1,\n',
      /bad.csv line 2, column 2 \("b"\): empty cell, expected a number/,
    ],
    [
      'a NaN cell',
      'a,b\nNaN,1\n',
      /bad.csv line 2, column 1 \("a"\): "NaN" is not a finite number/,
    ],
    [
      'an infinite cell',
      'a,b\n1,-inf\n',
      /line 2, column 2 \("b"\): "-inf" is not a finite number/,
    ],
    ['a float64 overflow', 'a,b\n1e400,1\n', /line 2, column 1 \("a"\): 1e400 overflows float64/],
    [
      'a float32 overflow',
      'a,b\n1,3.5e38\n',
      /line 2, column 2 \("b"\): 3.5e38 is too large for float32/,
    ],
    ['a hexadecimal cell', 'a,b\n0x10,1\n', /line 2, column 1 \("a"\): "0x10" is not a number/],
    ['an unterminated quote', 'a,b\n1,"2\n', /bad.csv line 2: unterminated quoted field/],
    [
      'the wrong number of columns',
      'a,b,c\n1,2,3\n',
      /bad.csv has 3 columns \(a, b, c\) but the model expects 2 features/,
    ],
    ['an unknown column', 'a,b\n1,2\n', /bad.csv line 1: no column named "zz"/],
  ];

  it.each(cases)('%s', async (name, text, message) => {
    const data = csv('bad.csv', text);
    const out = dir.file('bad-scores.csv');
    writeFileSync(out, 'previous results\n');
    const features = name === 'an unknown column' ? ['--features', 'a,zz'] : [];
    const run = await runCliMain(main, [
      ...['--model', unnamedPath, '--data', data, '--out', out],
      ...features,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n')).toHaveLength(2); // one line, no stack trace
    expect(readFileSync(out, 'utf8')).toBe('previous results\n');
    expect(run.stdout).toBe('');
  });

  it('prints nothing on stdout when a late row is bad', async () => {
    const data = csv('late.csv', `a,b\n${'1,2\n'.repeat(20_000)}1,x\n`);
    const run = await runCliMain(main, ['--model', unnamedPath, '--data', data]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/late.csv line 20002, column 2 \("b"\): "x" is not a number/);
  });

  it('does not create --out when it fails', async () => {
    const out = dir.file('never.csv');
    const run = await runCliMain(main, [
      ...['--model', unnamedPath, '--data', csv('bad2.csv', 'a,b\n1,2\n,\n'), '--out', out],
    ]);
    expect(run.code).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  it('reports a missing column of a named model', async () => {
    const data = csv('missing.csv', 'cpu_usage,mem\n1,2\n');
    const run = await runCliMain(main, ['--model', namedPath, '--data', data]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /missing.csv line 1: no column named "memory_load" \(the model's feature names; the header has "cpu_usage", "mem"\)/,
    );
  });

  it('rejects a corrupt or missing model file', async () => {
    // Change one base64 character of the thresholds: still valid JSON, so the checksum catches it.
    const bytes = readFileSync(namedPath);
    const at = bytes.indexOf('AAAA', bytes.indexOf('"threshold"'));
    bytes[at] = 'B'.charCodeAt(0);
    const corrupt = dir.file('corrupt.json');
    writeFileSync(corrupt, bytes);
    const data = csv('ok.csv', 'cpu_usage,memory_load\n1,2\n');
    const run = await runCliMain(main, ['--model', corrupt, '--data', data]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^score: cannot load model .*corrupt.json: checksum mismatch/);
    const missing = await runCliMain(main, ['--model', dir.file('nope.json'), '--data', data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot load model .*nope.json: no such file or directory/);
  });
});

describe('score CLI: command line', () => {
  it.each([
    [[], /--model PATH is required/],
    [['--model', 'm.json'], /--data FILE.csv is required/],
    [['--model', 'm.json', '--data', 'd.csv', '--fast'], /Unknown option '--fast'/],
    [['--model'], /Option '--model <value>' argument missing/],
    [['--model', 'm.json', '--data', 'd.csv', 'extra'], /Unexpected argument 'extra'/],
    [
      ['--model', 'm.json', '--data', 'd.csv', '--features', 'a,,b'],
      /--features has an empty name/,
    ],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const run = await runCliMain(main, argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/Run `npm run score -- --help` for usage/);
  });

  it('refuses --features that contradict the model’s names', async () => {
    const data = csv('both.csv', 'cpu_usage,memory_load\n1,2\n');
    const run = await runCliMain(main, [
      ...['--model', namedPath, '--data', data, '--features', 'memory_load,cpu_usage'],
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/trained on the columns cpu_usage,memory_load/);
  });

  it('prints usage with --help', async () => {
    const run = await runCliMain(main, ['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Score a CSV file offline/);
    expect(run.stdout).toMatch(/Exit codes: 0 success, 1 bad data or model/);
  });
});
