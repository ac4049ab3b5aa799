import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeArtifact } from '../../../src/artifact';
import { sealDocument } from '../../../src/artifact/artifact-checksum';
import { main } from '../../../src/cli/score';
import { explainSamples, matrixFromRows, scoreSamples } from '../../../src/engine';
import { runCliMain } from '../../helpers/run-cli-main';
import { makeTempDir } from '../../helpers/temp-dir';
import { loadShapCase } from '../explain/shap-fixtures';

const dir = makeTempDir('score-explain');
afterAll(() => dir.remove());

const DEFAULT_MODEL = join(__dirname, '..', '..', '..', 'model-artifacts', 'anomaly-detector.json');
const ROWS = [
  [2.1, 2.1],
  [-5.5, 5.2],
  [0, 0],
];

function csvFile(name: string, header: string, rows: number[][]): string {
  const path = dir.file(name);
  writeFileSync(path, `${header}\n${rows.map((r) => r.join(',')).join('\n')}\n`);
  return path;
}

describe('score --explain', () => {
  it('adds expected_value and shap_<feature> columns with the engine values, in CSV order', async () => {
    const data = csvFile('servers.csv', 'host,memory_load,cpu_usage', [
      [1, 2.1, 2.1],
      [2, 5.2, -5.5],
      [3, 0, 0],
    ]);
    const run = await runCliMain(main, ['--model', DEFAULT_MODEL, '--data', data, '--explain']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'score_samples,decision_function,prediction,expected_value,shap_cpu_usage,shap_memory_load',
    );
    const model = decodeArtifact(readModel());
    const x = matrixFromRows(ROWS);
    const e = explainSamples(model.forest, x);
    const s = scoreSamples(model.forest, x);
    lines.slice(1).forEach((line, i) => {
      const cells = line.split(',').map(Number);
      expect(cells[0]).toBe(s[i]);
      expect(cells[3]).toBe(e.expectedValue);
      expect(cells.slice(4)).toEqual([e.shapValues[2 * i], e.shapValues[2 * i + 1]]);
      // Additive: the columns reproduce the score through -2^(-(E + sum phi) / c).
      const f = cells[3] + cells[4] + cells[5];
      expect(Math.abs(-Math.pow(2, -f / e.normalizer) - cells[0])).toBeLessThan(1e-14);
    });
  });

  it("gives shap's values for a scikit-learn pickle, naming columns after the CSV for an unnamed model", async () => {
    const c = loadShapCase('max-features-half-12d');
    const header = c.rows[0].map((_, j) => `m${j}`).join(',');
    const data = csvFile('wide.csv', header, c.rows);
    const pkl = join(__dirname, '..', '..', 'fixtures', 'shap', 'max-features-half-12d.pkl');
    const run = await runCliMain(main, ['--model', pkl, '--data', data, '--explain']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0].split(',').slice(3, 6)).toEqual(['expected_value', 'shap_m0', 'shap_m1']);
    lines.slice(1).forEach((line, i) => {
      const cells = line.split(',').map(Number);
      expect(cells[3]).toBe(c.expected_value_glibc_log);
      cells
        .slice(4)
        .forEach((v, j) => expect(Math.abs(v - c.shap_values[i][j])).toBeLessThan(1e-12));
    });
  });

  it('refuses a version-1 artifact with exit code 1 and says how to re-export it', async () => {
    const doc = JSON.parse(Buffer.from(readModel()).toString('utf8'));
    delete doc.sha256;
    doc.formatVersion = 1;
    delete doc.arrays.weightedNNodeSamples;
    const v1 = dir.file('v1.json');
    writeFileSync(v1, sealDocument(JSON.stringify(doc, null, 2)).bytes);
    const data = csvFile('v1.csv', 'cpu_usage,memory_load', ROWS);
    const plain = await runCliMain(main, ['--model', v1, '--data', data]);
    expect(plain.code).toBe(0);
    const run = await runCliMain(main, ['--model', v1, '--data', data, '--explain']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/format version 1\) has no weighted_n_node_samples/);
    expect(run.stderr).toMatch(/npm run train/);
  });
});

function readModel(): Uint8Array {
  return readFileSync(DEFAULT_MODEL);
}
