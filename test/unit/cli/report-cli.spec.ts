// `npm run report`: the model report written offline, the --data rows playing the live window.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main as reportMain } from '../../../src/cli/report';
import { main as trainMain } from '../../../src/cli/train';
import { runCliMain } from '../../helpers/run-cli-main';
import { makeTempDir } from '../../helpers/temp-dir';
import { DRIFT_DIR } from '../monitoring/drift-fixture';

const dir = makeTempDir('report-cli');
afterAll(() => dir.remove());

describe('report CLI', () => {
  let model = '';
  beforeAll(async () => {
    model = dir.file('model.json');
    const run = await runCliMain(trainMain, [
      '--data',
      join(DRIFT_DIR, 'train.csv'),
      '--out',
      model,
      '--random-state',
      '7',
    ]);
    expect(run.code).toBe(0);
  });

  it('writes the page with drift for shifted rows and ok for unshifted ones', async () => {
    for (const [label, status] of [
      ['live-shifted', 'drift'],
      ['live-unshifted', 'ok'],
    ] as const) {
      const out = dir.file(`${label}.html`);
      const run = await runCliMain(reportMain, [
        '--model',
        model,
        '--data',
        join(DRIFT_DIR, `${label}.csv`),
        '--out',
        out,
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        new RegExp(`^Wrote ${out} \\(\\d+\\.\\d KiB, 1000 live rows\\)\\n$`),
      );
      const html = readFileSync(out, 'utf8');
      expect(html).toContain(`id="status" class="status ${status}"`);
      expect(html).toContain(`Live rows: the 1,000 rows of ${join(DRIFT_DIR, `${label}.csv`)}.`);
      expect(html).toContain('The model has 3 features; the map shows');
    }
  });

  it('without --data shows the model alone; bad command lines exit 2 and write nothing', async () => {
    const out = dir.file('alone.html');
    expect((await runCliMain(reportMain, ['--model', model, '--out', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('Status: insufficient_data.');
    const missing = await runCliMain(reportMain, ['--model', model]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--out report.html is required');
    const bad = await runCliMain(reportMain, [
      '--model',
      model,
      '--out',
      out,
      '--psi-threshold',
      'x',
    ]);
    expect(bad.code).toBe(2);
    const noModel = await runCliMain(reportMain, ['--model', dir.file('none.json'), '--out', out]);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/cannot load model/);
  });
});
