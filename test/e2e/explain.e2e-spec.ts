import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { decodeArtifact } from '../../src/artifact';
import { sealDocument } from '../../src/artifact/artifact-checksum';
import { averagePathLength, explainSamples, matrixFromRows } from '../../src/engine';
import { EXPLAIN_CHUNK_ROWS } from '../../src/explain/explain.service';
import { shapValuesOutput } from '../../src/explain/explain.outputs';
import { TempModelDir } from '../helpers/temp-model-dir';
import { DEFAULT_MODEL, postJson, send, startTestApp, type TestApp } from '../helpers/test-app';
import { loadShapCase } from '../unit/explain/shap-fixtures';

const SHAP_DIR = join(__dirname, '..', 'fixtures', 'shap');
const dir = new TempModelDir();
afterAll(() => dir.remove());

/** Sum of an array, left to right. */
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('explanations over HTTP (default model)', () => {
  let t: TestApp;
  const model = decodeArtifact(readFileSync(DEFAULT_MODEL));
  const c = averagePathLength(model.forest.maxSamples);

  beforeAll(async () => {
    t = await startTestApp({ MAX_EXPLAIN_ROWS: '3' });
  });
  afterAll(() => t.close());

  it('adds the explanation contract to POST /predict, with the engine numbers', async () => {
    const row = [-5.5, 5.2];
    const res = await postJson(`${t.url}/predict`, { data: row, explain: true });
    expect(res.status).toBe(200);
    const e = explainSamples(model.forest, matrixFromRows([row]));
    const x = res.body.explanation;
    expect(Object.keys(x)).toEqual([
      'method',
      'feature_names',
      'shap_values',
      'expected_value',
      'path_length',
      'log2_contributions',
      'top_features',
    ]);
    expect(x.method).toBe('tree_shap');
    expect(x.feature_names).toEqual(['cpu_usage', 'memory_load']);
    expect(x.shap_values).toEqual(Array.from(e.shapValues));
    expect(x.expected_value).toBe(e.expectedValue);
    expect(x.path_length).toBe(e.pathLength[0]);
    expect(x.log2_contributions).toEqual(x.shap_values.map((v: number) => -v / c));
    // The seed's anomaly: both features shortened its path, cpu_usage the most.
    expect(x.shap_values.every((v: number) => v < 0)).toBe(true);
    expect(x.top_features.map((f: { feature: string }) => f.feature)).toEqual([
      'cpu_usage',
      'memory_load',
    ]);
    expect(x.top_features[0]).toEqual({
      feature: 'cpu_usage',
      shap_value: x.shap_values[0],
      log2_contribution: x.log2_contributions[0],
    });
    // The documented identities.
    expect(Math.abs(x.expected_value + sum(x.shap_values) - x.path_length)).toBeLessThan(1e-12);
    const rebuilt = Math.pow(2, -x.expected_value / c) * Math.pow(2, sum(x.log2_contributions));
    expect(Math.abs(rebuilt - res.body.anomaly_score)).toBeLessThan(1e-14);
    expect(Math.abs(Math.pow(2, -x.path_length / c) - res.body.anomaly_score)).toBeLessThan(1e-15);
    // Everything else is the plain prediction.
    const plain = await postJson(`${t.url}/predict`, { data: row });
    expect({ ...res.body, explanation: undefined }).toEqual({
      ...plain.body,
      explanation: undefined,
    });
    expect(plain.body.explanation).toBeUndefined();
  });

  it('explains rows given by feature name, and explain: false is a plain prediction', async () => {
    const byName = await postJson(`${t.url}/predict`, {
      features: { memory_load: 5.2, cpu_usage: -5.5 },
      explain: true,
    });
    const byArray = await postJson(`${t.url}/predict`, { data: [-5.5, 5.2], explain: true });
    expect(byName.body).toEqual(byArray.body);
    const off = await postJson(`${t.url}/predict`, { data: [2.1, 2.1], explain: false });
    expect(off.status).toBe(200);
    expect(off.body.explanation).toBeUndefined();
  });

  it('adds an explanation to every prediction of a batch, equal to the single-row ones', async () => {
    const rows = [
      [-5.5, 5.2],
      [2.1, 2.1],
      [0, 0],
    ];
    const res = await postJson(`${t.url}/predict/batch`, { data: rows, explain: true });
    expect(res.status).toBe(200);
    for (let i = 0; i < rows.length; i++) {
      const one = await postJson(`${t.url}/predict`, { data: rows[i], explain: true });
      expect(res.body.predictions[i]).toEqual({
        ...one.body,
        threshold: undefined,
        model_version: undefined,
      });
    }
    const plain = await postJson(`${t.url}/predict/batch`, { data: rows });
    expect(plain.body.predictions[0].explanation).toBeUndefined();
  });

  it.each([
    ['a string', '"yes"'],
    ['a number', '1'],
    ['null', 'null'],
    ['an object', '{}'],
  ])('answers 400 when explain is %s', async (_label, value) => {
    for (const [path, data] of [
      ['/predict', '[2.1, 2.1]'],
      ['/predict/batch', '[[2.1, 2.1]]'],
    ]) {
      const res = await send(`${t.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"data": ${data}, "explain": ${value}}`,
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ field: 'explain', message: expect.stringMatching(/boolean/) }),
      ]);
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('answers 400 for an explained batch above MAX_EXPLAIN_ROWS, and scores it without explain', async () => {
    const rows = [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ];
    const res = await postJson(`${t.url}/predict/batch`, { data: rows, explain: true });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe(
      'data must contain at most 3 rows when explain is true (MAX_EXPLAIN_ROWS), got 4.',
    );
    const plain = await postJson(`${t.url}/predict/batch`, { data: rows });
    expect(plain.status).toBe(200);
  });
});

describe('explanations of scikit-learn pickles over HTTP', () => {
  it("serves shap's values for an unnamed 12-feature model (x0, x1, ... names), top-k from EXPLAIN_TOP_K", async () => {
    const fixture = loadShapCase('max-features-half-12d');
    const t = await startTestApp({
      MODEL_PATH: join(SHAP_DIR, 'max-features-half-12d.pkl'),
      EXPLAIN_TOP_K: '3',
    });
    try {
      for (const i of [0, 7, 12, 20]) {
        const res = await postJson(`${t.url}/predict`, { data: fixture.rows[i], explain: true });
        expect(res.status).toBe(200);
        const x = res.body.explanation;
        expect(x.feature_names).toEqual(Array.from({ length: 12 }, (_, j) => `x${j}`));
        x.shap_values.forEach((v: number, j: number) =>
          expect(Math.abs(v - fixture.shap_values[i][j])).toBeLessThanOrEqual(1e-12),
        );
        expect(x.expected_value).toBe(fixture.expected_value_glibc_log);
        expect(x.top_features).toHaveLength(3);
        const mags = x.top_features.map((f: { shap_value: number }) => Math.abs(f.shap_value));
        expect(mags).toEqual([...mags].sort((a, b) => b - a));
        expect(Math.max(...x.shap_values.map(Math.abs))).toBe(mags[0]);
        expect(res.body.anomaly_score).toBe(-fixture.score_samples[i]);
      }
    } finally {
      await t.close();
    }
  });

  it('keeps the response additive for a bootstrap model (expected_value = path_length - sum)', async () => {
    const fixture = loadShapCase('bootstrap-4d');
    const t = await startTestApp({ MODEL_PATH: join(SHAP_DIR, 'bootstrap-4d.pkl') });
    try {
      const res = await postJson(`${t.url}/predict/batch`, {
        data: fixture.rows.slice(0, 6),
        explain: true,
      });
      expect(res.status).toBe(200);
      res.body.predictions.forEach(
        (
          p: {
            explanation: { shap_values: number[]; expected_value: number; path_length: number };
          },
          i: number,
        ) => {
          const x = p.explanation;
          x.shap_values.forEach((v: number, j: number) =>
            expect(Math.abs(v - fixture.shap_values[i][j])).toBeLessThanOrEqual(1e-12),
          );
          expect(x.expected_value).not.toBe(fixture.expected_value);
          expect(Math.abs(x.expected_value + sum(x.shap_values) - x.path_length)).toBeLessThan(
            1e-12,
          );
        },
      );
    } finally {
      await t.close();
    }
  });

  it('explains rows with missing values (null) as shap does, for a model that accepts them', async () => {
    // scikit-learn 1.6.1 model fitted on data with NaN (scripts/shap/gen-shap-missing-fixtures.py).
    const missingDir = join(__dirname, '..', 'fixtures', 'shap-missing');
    const fixture = JSON.parse(
      readFileSync(join(missingDir, 'missing-values-5d.json'), 'utf8'),
    ) as { rows: (number | string | null)[][]; shap_values: number[][]; score_samples: number[] };
    // JSON requests carry no infinities: the rows with finite or missing cells.
    const picked = fixture.rows
      .map((row, i) => ({ row, i }))
      .filter(({ row }) => row.every((v) => typeof v !== 'string'));
    expect(picked.some(({ row }) => row.includes(null))).toBe(true);
    const t = await startTestApp({ MODEL_PATH: join(missingDir, 'missing-values-5d.pkl') });
    try {
      const res = await postJson(`${t.url}/predict/batch`, {
        data: picked.map(({ row }) => row),
        explain: true,
      });
      expect(res.status).toBe(200);
      res.body.predictions.forEach(
        (
          p: {
            anomaly_score: number;
            explanation: { shap_values: number[]; expected_value: number; path_length: number };
          },
          k: number,
        ) => {
          const i = picked[k].i;
          p.explanation.shap_values.forEach((v: number, j: number) =>
            expect(Math.abs(v - fixture.shap_values[i][j])).toBeLessThanOrEqual(1e-12),
          );
          const x = p.explanation;
          expect(Math.abs(x.expected_value + sum(x.shap_values) - x.path_length)).toBeLessThan(
            1e-12,
          );
          expect(Math.abs(p.anomaly_score + fixture.score_samples[i])).toBeLessThan(1e-15);
        },
      );
      const one = await postJson(`${t.url}/predict`, { data: [null, 0, 0, 0, 0], explain: true });
      expect(one.status).toBe(200);
      expect(one.body.explanation.shap_values).toHaveLength(5);
    } finally {
      await t.close();
    }
  });

  it('answers other requests between the chunks of a large batch explanation', async () => {
    const fixture = loadShapCase('wide-16d');
    const t = await startTestApp({ MODEL_PATH: join(SHAP_DIR, 'wide-16d.pkl') });
    // Watch (not replace) the real shap_values output: each call explains one chunk of rows.
    const explainChunk = jest.spyOn(shapValuesOutput, 'compute');
    try {
      const rows = Array.from({ length: 1000 }, (_, i) =>
        fixture.rows[i % fixture.rows.length].map((v, j) =>
          Math.fround(v + ((i * 7 + j) % 13) / 8),
        ),
      );
      let done = false;
      const batch = postJson(`${t.url}/predict/batch`, { data: rows, explain: true }).finally(
        () => (done = true),
      );
      // Once the first chunk is explained, a probe goes out. Were the batch explained in one
      // piece, every chunk would run before the server even read the probe; explained a chunk
      // per turn of the event loop, the probe is answered while chunks are still to come.
      // This counts chunks, not milliseconds, so a slow or busy machine cannot change it.
      while (explainChunk.mock.calls.length === 0 && !done) await setImmediate();
      const chunksBefore = explainChunk.mock.calls.length;
      const probe = await send(`${t.url}/health/live`);
      const chunksAtAnswer = explainChunk.mock.calls.length;
      const answeredDuringBatch = !done;
      const res = await batch;
      expect(res.status).toBe(200);
      expect(res.body.predictions).toHaveLength(1000);
      const chunks = explainChunk.mock.calls.length;
      expect(chunks).toBe(Math.ceil(1000 / EXPLAIN_CHUNK_ROWS));
      expect(probe.status).toBe(200);
      expect(answeredDuringBatch).toBe(true);
      expect(chunksBefore).toBeGreaterThanOrEqual(1);
      expect(chunksAtAnswer).toBeLessThan(chunks);
    } finally {
      explainChunk.mockRestore();
      await t.close();
    }
  });
});

describe('explanations of version-1 artifacts', () => {
  it('answers 422 saying how to re-export, and still scores without explain', async () => {
    const doc = JSON.parse(readFileSync(DEFAULT_MODEL, 'utf8'));
    delete doc.sha256;
    doc.formatVersion = 1;
    delete doc.arrays.weightedNNodeSamples;
    delete doc.reference; // version 2 only, like the node weights
    const path = dir.write('v1.json', sealDocument(JSON.stringify(doc, null, 2)).bytes);
    const t = await startTestApp({ MODEL_PATH: path });
    try {
      const plain = await postJson(`${t.url}/predict`, { data: [-5.5, 5.2] });
      expect(plain.status).toBe(200);
      expect(plain.body.prediction_score).toBe(-1);
      for (const [route, data] of [
        ['/predict', [-5.5, 5.2]],
        ['/predict/batch', [[-5.5, 5.2]]],
      ] as const) {
        const res = await postJson(`${t.url}${route}`, { data, explain: true });
        expect(res.status).toBe(422);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body.title).toBe('Explanation unavailable');
        expect(res.body.detail).toMatch(
          /format version 1\) has no weighted_n_node_samples per node.*npm run train/,
        );
      }
    } finally {
      await t.close();
    }
  });
});
