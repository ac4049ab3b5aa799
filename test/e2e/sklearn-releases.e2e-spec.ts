// A real scikit-learn 1.9.1 / numpy 2.4 / joblib 1.6 file served through MODEL_PATH gives
// scikit-learn's answers over HTTP, missing values (JSON null) included; a 1.5.2 model, which
// does not accept missing values, answers a null with a 400 naming the field.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  readReleaseCase,
  readReleaseFile,
  RELEASES_DIR,
  type ReleaseCase,
} from '../helpers/sklearn-releases';
import { makeTempDir } from '../helpers/temp-dir';
import { postJson, send, startTestApp, type TestApp } from '../helpers/test-app';
import { ulpDistance } from '../unit/sklearn/sklearn-fixtures';

interface Prediction {
  prediction_score: number;
  decision_function: number;
  anomaly_score: number;
}

/** JSON rows as the client sends them: NaN (missing) is null. */
function jsonRows(c: ReleaseCase): (number | null)[][] {
  return c.X.map((row) => row.map((v) => (typeof v === 'number' ? v : null)));
}

function expectScikitLearn(predictions: Prediction[], c: ReleaseCase): void {
  expect(predictions.map((p) => p.prediction_score)).toEqual(c.predict);
  predictions.forEach((p, i) => {
    expect(ulpDistance(-p.anomaly_score, c.score_samples[i])).toBeLessThanOrEqual(4);
    expect(Math.abs(p.decision_function - c.decision_function[i])).toBeLessThanOrEqual(
      4 * Number.EPSILON,
    );
  });
}

describe.each([
  ['joblib.dump(compress=3)', 'nan_named.joblib-z3.pkl'],
  ['joblib.dump', 'nan_named.joblib.pkl.gz'],
])('MODEL_PATH = a scikit-learn 1.9.1 %s file with missing-value support', (_, file) => {
  const expected = readReleaseCase('1.9.1', 'nan_named');
  const tmp = makeTempDir('sklearn-1.9.1');
  let app: TestApp;

  beforeAll(async () => {
    // The exact bytes scikit-learn wrote (the uncompressed form is stored gzip-compressed).
    const path = file.endsWith('.gz')
      ? tmp.file('model.joblib')
      : join(RELEASES_DIR, '1.9.1', file);
    if (file.endsWith('.gz')) writeFileSync(path, readReleaseFile('1.9.1', file));
    app = await startTestApp({ MODEL_PATH: path });
  });
  afterAll(async () => {
    await app.close();
    tmp.remove();
  });

  it('says so in GET /model', async () => {
    const res = await send(`${app.url}/model`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      source_format: 'sklearn-joblib',
      sklearn_version: '1.9.1',
      feature_names: expected.fitted.feature_names_in_,
      accepts_missing_values: true,
      offset: expected.fitted.offset_,
      n_training_samples: expected.fitted._n_samples,
    });
  });

  it('scores every fixture row as scikit-learn does, null as a missing value', async () => {
    const rows = jsonRows(expected);
    expect(rows.some((r) => r.includes(null))).toBe(true);
    const res = await postJson(`${app.url}/predict/batch`, { data: rows });
    expect(res.status).toBe(200);
    expectScikitLearn(res.body.predictions as Prediction[], expected);
  });

  it('scores single rows with null, by position and by feature name', async () => {
    const rows = jsonRows(expected);
    const names = expected.fitted.feature_names_in_ ?? [];
    for (let i = 0; i < rows.length; i++) {
      if (!rows[i].includes(null)) continue;
      const byData = await postJson(`${app.url}/predict`, { data: rows[i] });
      const features = Object.fromEntries(names.map((n, j) => [n, rows[i][j]]));
      const byName = await postJson(`${app.url}/predict`, { features });
      for (const res of [byData, byName]) {
        expect(res.status).toBe(200);
        expect(res.body.prediction_score).toBe(expected.predict[i]);
        expect(ulpDistance(-res.body.anomaly_score, expected.score_samples[i])).toBeLessThanOrEqual(
          4,
        );
      }
    }
  });
});

describe('MODEL_PATH = a scikit-learn 1.5.2 file (no missing-value support)', () => {
  const expected = readReleaseCase('1.5.2', 'named');
  const tmp = makeTempDir('sklearn-1.5.2');
  let app: TestApp;

  beforeAll(async () => {
    const path = tmp.file('model.pkl');
    writeFileSync(path, readReleaseFile('1.5.2', expected.files.p5));
    app = await startTestApp({ MODEL_PATH: path });
  });
  afterAll(async () => {
    await app.close();
    tmp.remove();
  });

  it('scores as scikit-learn 1.5.2 and says it does not accept missing values', async () => {
    const info = await send(`${app.url}/model`);
    expect(info.body).toMatchObject({ sklearn_version: '1.5.2', accepts_missing_values: false });
    const res = await postJson(`${app.url}/predict/batch`, { data: jsonRows(expected) });
    expect(res.status).toBe(200);
    expectScikitLearn(res.body.predictions as Prediction[], expected);
  });

  it('answers null with a 400 naming the field', async () => {
    const one = await postJson(`${app.url}/predict`, { data: [0.5, null, 1] });
    expect(one.status).toBe(400);
    expect(one.body.errors).toEqual([
      expect.objectContaining({
        field: 'data[1]',
        message: expect.stringMatching(
          /^is null \(a missing value\), but this model does not accept missing values/,
        ),
      }),
    ]);
    const named = await postJson(`${app.url}/predict`, {
      features: { cpu_usage: 1, memory_load: 2, disk_io: null },
    });
    expect(named.status).toBe(400);
    expect(named.body.errors.map((e: { field: string }) => e.field)).toEqual(['features.disk_io']);
    const batch = await postJson(`${app.url}/predict/batch`, {
      data: [
        [1, 2, 3],
        [null, 2, 3],
      ],
    });
    expect(batch.status).toBe(400);
    expect(batch.body.errors.map((e: { field: string }) => e.field)).toEqual(['data[1][0]']);
  });
});
