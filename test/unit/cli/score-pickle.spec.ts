// `npm run score --model FILE.pkl`: the score CLI reads scikit-learn pickles and joblib files
// directly and prints scikit-learn's own outputs (predict exactly, scores within 4 ulp).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/score';
import { runCliMain } from '../../helpers/run-cli-main';
import { makeTempDir } from '../../helpers/temp-dir';
import {
  HOSTILE_DIR,
  readCase,
  SKLEARN_DIR,
  ulpDistance,
  ulpOf,
} from '../sklearn/sklearn-fixtures';

const dir = makeTempDir('score-pickle');
afterAll(() => dir.remove());

function csvOf(name: string, header: string): string {
  const path = dir.file(`${name}.csv`);
  const rows = readCase(name).X.map((r) => r.map((v) => String(v)).join(','));
  writeFileSync(path, `${header}\n${rows.join('\n')}\n`);
  return path;
}

describe('score CLI on scikit-learn files', () => {
  it.each([
    ['seed_cpu_mem.p2.pkl', 'seed_cpu_mem', 'a,b'],
    ['seed_cpu_mem.joblib.pkl', 'seed_cpu_mem', 'a,b'],
    ['seed_cpu_mem_auto_named.p4.pkl', 'seed_cpu_mem_auto_named', 'memory_load,cpu_usage'],
    ['d5_n10_ms05_mf06.p5.pkl', 'd5_n10_ms05_mf06', 'a,b,c,d,e'],
    ['d2_n10_ms64_boot_c005.joblib-z3.pkl', 'd2_n10_ms64_boot_c005', 'a,b'],
  ])("%s gives scikit-learn's outputs", async (file, name, header) => {
    const expected = readCase(name);
    // The named model picks its columns by name: give them in another order.
    const data =
      header === 'memory_load,cpu_usage'
        ? (() => {
            const path = dir.file('named.csv');
            const rows = expected.X.map(([cpu, mem]) => `${mem},${cpu}`);
            writeFileSync(path, `${header}\n${rows.join('\n')}\n`);
            return path;
          })()
        : csvOf(name, header);
    const run = await runCliMain(main, ['--model', join(SKLEARN_DIR, file), '--data', data]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('score_samples,decision_function,prediction');
    const out = lines.slice(1).map((l) => l.split(',').map(Number));
    expect(out).toHaveLength(expected.X.length);
    expect(out.map((r) => r[2])).toEqual(expected.predict);
    for (let i = 0; i < out.length; i++) {
      expect(ulpDistance(out[i][0], expected.score_samples[i])).toBeLessThanOrEqual(4);
      const error = Math.abs(out[i][1] - expected.decision_function[i]);
      expect(error / ulpOf(expected.score_samples[i])).toBeLessThanOrEqual(4);
    }
  });

  it('refuses a hostile pickle with one line and exit 1', async () => {
    const data = csvOf('seed_cpu_mem', 'a,b');
    const run = await runCliMain(main, [
      '--model',
      join(HOSTILE_DIR, 'model-payload.joblib.pkl'),
      '--data',
      data,
    ]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(
      /^score: cannot load model .*model-payload.joblib.pkl: refused global posix.system: .*\(at byte 4763\)\n$/,
    );
  });
});
