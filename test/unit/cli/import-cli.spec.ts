// `npm run import`: a scikit-learn pickle/joblib file becomes a native artifact that scores the
// same; every failure is one line on stderr with exit 1 (model) or 2 (command line), and nothing
// is written.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeArtifact } from '../../../src/artifact';
import { main } from '../../../src/cli/import';
import { importSklearnModel } from '../../../src/sklearn';
import { runCliMain } from '../../helpers/run-cli-main';
import { makeTempDir } from '../../helpers/temp-dir';
import { HOSTILE_DIR, SKLEARN_DIR } from '../sklearn/sklearn-fixtures';

const dir = makeTempDir('import-cli');
afterAll(() => dir.remove());
const root = join(__dirname, '../../..');

describe('import CLI', () => {
  it('converts a joblib file to an artifact with the same model, version and names', async () => {
    const input = join(SKLEARN_DIR, 'seed_cpu_mem_auto_named.joblib.pkl');
    const out = dir.file('named.json');
    const run = await runCliMain(main, ['--model', input, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const imported = importSklearnModel(readFileSync(input));
    const written = decodeArtifact(readFileSync(out));
    expect(written.forest).toEqual(imported.forest);
    expect(written.offset).toBe(imported.offset);
    expect(written.params).toEqual(imported.params);
    expect(written.featureNames).toEqual(['cpu_usage', 'memory_load']);
    expect(written.modelVersion).toBe(imported.modelVersion);
    expect(written.source).toEqual({ format: 'sklearn-joblib', sklearnVersion: '1.2.1' });
    expect(written.createdAt).toBe(statSync(input).mtime.toISOString());
    expect(run.stdout).toBe(
      [
        `Imported ${input} and wrote ${out}`,
        '  source          sklearn-joblib (scikit-learn 1.2.1, pickle protocol 4)',
        '  features        2: cpu_usage, memory_load',
        '  trees           100 (max_samples 64, max_features 2)',
        '  offset          -0.5 (contamination auto)',
        '  reference       none (pass --reference ROWS.csv for percentiles and drift)',
        `  model version   ${imported.modelVersion}`,
        `  size            398.6 KiB -> ${(readFileSync(out).length / 1024).toFixed(1)} KiB`,
        '',
      ].join('\n'),
    );
  });

  it('writes FILE.json next to the pickle by default, and the same bytes every time', async () => {
    const input = dir.file('model.pkl');
    copyFileSync(join(SKLEARN_DIR, 'd5_n10_ms05_mf06.p2.pkl'), input);
    utimesSync(input, new Date('2024-03-01T10:00:00Z'), new Date('2024-03-01T10:00:00Z'));
    expect((await runCliMain(main, ['--model', input])).code).toBe(0);
    const first = readFileSync(dir.file('model.json'));
    expect(decodeArtifact(first).createdAt).toBe('2024-03-01T10:00:00.000Z');
    expect((await runCliMain(main, ['--model', input])).code).toBe(0);
    expect(readFileSync(dir.file('model.json')).equals(first)).toBe(true);
  });

  it.each([
    [
      'a hostile pickle',
      join(HOSTILE_DIR, 'model-payload-in-tree-7.p2.pkl'),
      /^import: cannot import .*model-payload-in-tree-7.p2.pkl: refused global posix.system: .* \(at byte 10301\)\n$/,
    ],
    [
      'an inconsistent model',
      join(__dirname, '../../fixtures/sklearn-variants/inconsistent.cycle.p4.pkl'),
      /^import: cannot import .*: estimators_\[0\].tree_: node 1 has children 0, 3 outside \(1, 9\) \(at byte 1047\)\n$/,
    ],
    [
      'a native artifact',
      join(root, 'model-artifacts/anomaly-detector.json'),
      /^import: .*anomaly-detector.json is not a pickle or joblib file \(it looks like a model artifact already\)\n$/,
    ],
    [
      'a missing file',
      dir.file('missing.pkl'),
      /^import: cannot read .*missing.pkl: no such file or directory\n$/,
    ],
  ])('exits 1 for %s, with one line and nothing written', async (_label, input, message) => {
    const out = dir.file('never.json');
    const run = await runCliMain(main, ['--model', input, '--out', out]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('names an unsupported joblib compressor', async () => {
    const input = dir.file('model.joblib.gz');
    writeFileSync(input, gzipSync(readFileSync(join(SKLEARN_DIR, 'edge_one_sample.joblib.pkl'))));
    const run = await runCliMain(main, ['--model', input]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('joblib files compressed with gzip');
    expect(existsSync(dir.file('model.joblib.json'))).toBe(false);
  });

  it('exits 2 for a bad command line', async () => {
    const missing = await runCliMain(main, []);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe(
      'import: --model FILE is required\nRun `npm run import -- --help` for usage.\n',
    );
    expect((await runCliMain(main, ['--model', 'x.pkl', '--bogus'])).code).toBe(2);
    const input = dir.file('self.pkl');
    copyFileSync(join(SKLEARN_DIR, 'edge_one_sample.p4.pkl'), input);
    const self = await runCliMain(main, ['--model', input, '--out', input]);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('would overwrite the model file itself');
    const help = await runCliMain(main, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run import -- --model FILE.pkl [--out PATH]');
  });

  it('runs as a process with the documented exit codes', () => {
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['-r', 'tsx/cjs', join(root, 'src/cli/import.ts'), ...args], {
        cwd: root,
        encoding: 'utf8',
      });
    const ok = cli([
      '--model',
      join(SKLEARN_DIR, 'edge_one_sample.p5.pkl'),
      '--out',
      dir.file('p.json'),
    ]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^Imported .*edge_one_sample.p5.pkl and wrote /);
    const bad = cli([
      '--model',
      join(HOSTILE_DIR, 'os-system.p2.pkl'),
      '--out',
      dir.file('q.json'),
    ]);
    expect(bad).toMatchObject({ status: 1, stdout: '' });
    expect(bad.stderr).toMatch(/^import: cannot import .*refused global posix.system/);
    expect(bad.stderr.split('\n')).toHaveLength(2);
  });
});
