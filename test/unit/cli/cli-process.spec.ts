import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../helpers/temp-dir';

// The CLIs as real processes (TypeScript sources run through tsx): exit codes, and which
// stream gets what.
const root = join(__dirname, '../../..');
const dir = makeTempDir('cli-process');
afterAll(() => dir.remove());

function run(cli: 'train' | 'score', args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['-r', 'tsx/cjs', join(root, `src/cli/${cli}.ts`), ...args],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('train and score as processes', () => {
  it('exit 0, summary on stdout, scores on stdout with the summary on stderr', () => {
    const model = dir.file('model.json');
    const trained = run('train', ['--out', model, '--n-estimators', '10']);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/^Trained an Isolation Forest and wrote /);
    const data = dir.file('seed.csv');
    writeFileSync(data, 'cpu_usage,memory_load\n-5.5,5.2\n2.1,2.1\n');
    const scored = run('score', ['--model', model, '--data', data]);
    expect(scored.code).toBe(0);
    expect(scored.stdout).toMatch(
      /^score_samples,decision_function,prediction\n\S+,\S+,-1\n\S+,\S+,1\n$/,
    );
    expect(scored.stderr).toMatch(/^score: 2 rows in [\d.]+ s, 1 \(50.00%\) predicted -1\n$/);
    expect(readFileSync(model, 'utf8')).toMatch(/"randomState": 42/);
  });

  it('exit 1 for bad data, exit 2 for a bad command line, with one line and no stack', () => {
    const data = dir.file('bad.csv');
    writeFileSync(data, 'a,b\n1,2\n3\n');
    const bad = run('train', ['--data', data, '--out', dir.file('never.json')]);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toMatch(/^train: .*bad.csv line 3: 1 fields, but the header has 2\n$/);
    const usage = run('score', ['--model']);
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toMatch(
      /^score: Option '--model <value>' argument missing\nRun `npm run score -- --help` for usage.\n$/,
    );
  });
});
