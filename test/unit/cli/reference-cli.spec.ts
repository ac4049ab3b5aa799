// The training reference written by `npm run train` and `npm run import -- --reference`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeArtifact } from '../../../src/artifact';
import { main as importMain } from '../../../src/cli/import';
import { syntheticServerData } from '../../../src/cli/synthetic-server-data';
import { main as trainMain } from '../../../src/cli/train';
import { computeTrainingReference } from '../../../src/monitoring';
import { runCliMain } from '../../helpers/run-cli-main';
import { makeTempDir } from '../../helpers/temp-dir';
import { SKLEARN_DIR } from '../sklearn/sklearn-fixtures';

const dir = makeTempDir('reference-cli');
afterAll(() => dir.remove());

/** The synthetic training rows as a CSV with a host column first. */
function syntheticCsv(): string {
  const { x } = syntheticServerData();
  const lines = ['host,cpu_usage,memory_load'];
  for (let i = 0; i < x.rows; i++) lines.push(`h${i},${x.data[2 * i]},${x.data[2 * i + 1]}`);
  const path = dir.file('rows.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('train stores the training reference', () => {
  it('with the default 10 bins and 200 sample rows, computed from the training rows', async () => {
    const out = dir.file('default.json');
    const run = await runCliMain(trainMain, ['--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '  reference       score percentiles to 0.1, 10 bins per feature, 200 sample rows\n',
    );
    const model = decodeArtifact(readFileSync(out));
    const { x } = syntheticServerData();
    expect(model.reference).toEqual(
      computeTrainingReference(model.forest, model.offset, x, { seed: 42 }),
    );
  });

  it('honours --reference-bins and --reference-sample 0, and refuses values out of range', async () => {
    const out = dir.file('options.json');
    const run = await runCliMain(trainMain, [
      '--out',
      out,
      '--reference-bins',
      '20',
      '--reference-sample',
      '0',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('20 bins per feature, no sample');
    const reference = decodeArtifact(readFileSync(out)).reference!;
    expect(reference.sample).toBe(null);
    expect(reference.features[0].proportions.length).toBe(20);
    const bad = await runCliMain(trainMain, ['--out', out, '--reference-bins', '9']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--reference-bins must be an integer in [10, 20], got "9"');
  });
});

describe('import --reference', () => {
  it('computes the reference of a scikit-learn model from a CSV, columns by feature name', async () => {
    const out = dir.file('imported.json');
    const csv = syntheticCsv();
    const input = join(SKLEARN_DIR, 'seed_cpu_mem_auto_named.joblib.pkl');
    const run = await runCliMain(importMain, ['--model', input, '--out', out, '--reference', csv]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`  reference       1,000 rows from ${csv}\n`);
    const model = decodeArtifact(readFileSync(out));
    const { x } = syntheticServerData();
    expect(model.reference).toEqual(
      computeTrainingReference(model.forest, model.offset, x, {
        seed: model.params.randomState,
      }),
    );
  });

  it('refuses a CSV without the model columns, writing nothing', async () => {
    const out = dir.file('refused.json');
    const csv = dir.file('wrong.csv');
    writeFileSync(csv, 'a,b\n1,2\n');
    const input = join(SKLEARN_DIR, 'seed_cpu_mem_auto_named.joblib.pkl');
    const run = await runCliMain(importMain, ['--model', input, '--out', out, '--reference', csv]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cpu_usage/);
    expect(() => readFileSync(out)).toThrow();
  });
});
