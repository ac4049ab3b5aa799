import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeArtifact, encodeArtifact } from '../../src/artifact';
import { syntheticServerData } from '../../src/cli/synthetic-server-data';
import { fitIsolationForest, scoreSamples, summarizeTraining } from '../../src/engine';
import { computeTrainingReference } from '../../src/monitoring';
import { TempModelDir } from '../helpers/temp-model-dir';
import { DEFAULT_MODEL, postJson, send, startTestApp, type TestApp } from '../helpers/test-app';
import { driftCsv, driftExpected } from '../unit/monitoring/drift-fixture';

/** Share of `sortedScores` <= s, in percent, floored to 0.1: the direct computation. */
function directPercentile(sortedScores: Float64Array, s: number): number {
  let count = 0;
  for (const v of sortedScores) if (v <= s) count++;
  return (Math.floor((1000 * count) / sortedScores.length) * 100) / 1000;
}

const dir = new TempModelDir();
afterAll(() => dir.remove());

/** A model trained (seed 7) on the drift fixture's 1,000 training rows, with its reference. */
function driftModelFile(file = 'drift-model.json', x = driftCsv('train').x): string {
  const train = { x, names: driftCsv('train').names };
  const model = fitIsolationForest(train.x, { randomState: 7 });
  const summary = summarizeTraining(model, train.x);
  return dir.write(
    file,
    encodeArtifact({
      createdAt: '2026-12-04T00:00:00.000Z',
      params: model.options,
      featureNames: train.names,
      nFeatures: 3,
      offset: model.offset,
      forest: model.forest,
      nTrainingSamples: train.x.rows,
      trainingScoreQuantiles: summary.scoreQuantiles,
      featureMin: summary.featureMin,
      featureMax: summary.featureMax,
      reference: computeTrainingReference(model.forest, model.offset, train.x, { seed: 7 }),
      source: { format: 'native' },
    }),
  );
}

describe('anomaly_percentile in every prediction (default model, real server)', () => {
  let t: TestApp;
  const { x } = syntheticServerData();
  const model = JSON.parse(readFileSync(DEFAULT_MODEL, 'utf8')) as { formatVersion: number };
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('keeps the seed answers and adds the percentile of the training scores', async () => {
    expect(model.formatVersion).toBe(2);
    const anomaly = await postJson(`${t.url}/predict`, { data: [-5.5, 5.2] });
    const normal = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
    expect(anomaly.body.prediction_score).toBe(-1);
    expect(normal.body.prediction_score).toBe(1);
    // The default model's training rows are the built-in synthetic set.
    const decoded = decodeArtifact(readFileSync(DEFAULT_MODEL));
    const training = scoreSamples(decoded.forest, x)
      .map((s) => -s)
      .sort();
    expect(anomaly.body.anomaly_percentile).toBe(directPercentile(training, 0.7851608520150554));
    expect(anomaly.body.anomaly_percentile).toBe(100);
    expect(normal.body.anomaly_percentile).toBe(
      directPercentile(training, normal.body.anomaly_score),
    );
  });

  it('gives batch rows the same percentiles as single rows, monotone in the score', async () => {
    const rows: number[][] = [];
    for (let k = 0; k < 60; k++) rows.push([-6 + k * 0.2, 6 - k * 0.2]);
    const batch = await postJson(`${t.url}/predict/batch`, { data: rows });
    expect(batch.status).toBe(200);
    const single = await postJson(`${t.url}/predict`, { data: rows[7] });
    expect(batch.body.predictions[7].anomaly_percentile).toBe(single.body.anomaly_percentile);
    const pairs = batch.body.predictions
      .map((p: { anomaly_score: number; anomaly_percentile: number }) => [
        p.anomaly_score,
        p.anomaly_percentile,
      ])
      .sort((a: number[], b: number[]) => a[0] - b[0]);
    for (let i = 1; i < pairs.length; i++)
      expect(pairs[i][1]).toBeGreaterThanOrEqual(pairs[i - 1][1]);
    for (const p of batch.body.predictions) {
      expect(p.anomaly_percentile).toBeGreaterThanOrEqual(0);
      expect(p.anomaly_percentile).toBeLessThanOrEqual(100);
    }
  });
});

describe('GET /model/monitoring against numpy PSI (test/fixtures/drift)', () => {
  const expected = driftExpected();
  let path = '';
  beforeAll(() => {
    path = driftModelFile();
  });

  /** Posts a live fixture file in two batches to a fresh service and reads its monitoring. */
  async function monitorAfter(label: 'unshifted' | 'shifted', env: Record<string, string> = {}) {
    const t = await startTestApp({ MODEL_PATH: path, ...env });
    try {
      const live = driftCsv(`live-${label}`);
      for (const part of [live.rows.slice(0, 600), live.rows.slice(600)]) {
        expect((await postJson(`${t.url}/predict/batch`, { data: part })).status).toBe(200);
      }
      const monitoring = await send(`${t.url}/model/monitoring`);
      const metrics = await send(`${t.url}/metrics`);
      return { monitoring, metrics: metrics.text };
    } finally {
      await t.close();
    }
  }

  it('unshifted rows of the same size: PSI < 0.1 for every feature, numpy PSI, status ok', async () => {
    const { monitoring, metrics } = await monitorAfter('unshifted');
    expect(monitoring.status).toBe(200);
    const body = monitoring.body;
    expect(body.status).toBe('ok');
    expect(body.reason).toBe(null);
    expect(body.window.rows).toBe(1000);
    expect(body.window.capacity).toBe(10000);
    expect(Date.parse(body.window.since)).toBeLessThanOrEqual(Date.now());
    expect(body.scope).toBe('process');
    expect(body.thresholds).toEqual({ psi: 0.2, min_rows: 500 });
    expect(body.features.map((f: { name: string }) => f.name)).toEqual(
      expected.features.map((f) => f.name),
    );
    body.features.forEach(
      (f: { psi: number; live_mean: number; reference_mean: number }, j: number) => {
        expect(f.psi).toBeCloseTo(expected.live.unshifted[j].psi, 12);
        expect(f.psi).toBeLessThan(0.1);
        expect(f.live_mean).toBeCloseTo(expected.live.unshifted[j].mean, 9);
        expect(f.reference_mean).toBeCloseTo(expected.features[j].mean, 10);
      },
    );
    expect(body.score.psi).toBeLessThan(0.1);
    expect(body.anomaly_rate.expected).toBeGreaterThan(0);
    expect(body.anomaly_rate.observed).toBeGreaterThanOrEqual(0);
    expect(metrics).toContain('model_drift_status{model="anomaly-detector"} 0');
  });

  it('memory_load shifted by 2 std: its PSI > 0.25 (numpy value), status drift, gauges say so', async () => {
    const { monitoring, metrics } = await monitorAfter('shifted');
    const body = monitoring.body;
    expect(body.status).toBe('drift');
    const mem = body.features[1];
    expect(mem.name).toBe('memory_load');
    expect(mem.psi).toBeGreaterThan(0.25);
    expect(mem.psi).toBeCloseTo(expected.live.shifted[1].psi, 12);
    expect(mem.drifting).toBe(true);
    expect(body.features[0].drifting).toBe(false);
    expect(metrics).toContain('model_drift_status{model="anomaly-detector"} 1');
    expect(metrics).toMatch(
      new RegExp(
        `model_feature_psi\\{model="anomaly-detector",feature="memory_load"\\} ${mem.psi}`,
      ),
    );
    expect(metrics).toMatch(/model_score_psi\{model="anomaly-detector"\} [0-9.e-]+/);
    expect(metrics).toMatch(/model_anomaly_rate_observed\{model="anomaly-detector"\} [0-9.e-]+/);
  });

  it('keeps a window of MONITOR_WINDOW_ROWS and waits for MONITOR_MIN_ROWS', async () => {
    const { monitoring } = await monitorAfter('shifted', {
      MONITOR_WINDOW_ROWS: '200',
      MONITOR_MIN_ROWS: '300',
    });
    expect(monitoring.body.window.rows).toBeLessThanOrEqual(200);
    expect(monitoring.body.window.rows).toBeGreaterThanOrEqual(190);
    expect(monitoring.body.status).toBe('insufficient_data');
    expect(monitoring.body.reason).toMatch(/MONITOR_MIN_ROWS = 300/);
  });

  it('starts a fresh window when a reload swaps the model in', async () => {
    const token = 'monitoring-admin-token-0123456789';
    const t = await startTestApp({ MODEL_PATH: path, ADMIN_TOKEN: token });
    try {
      const live = driftCsv('live-shifted');
      await postJson(`${t.url}/predict/batch`, { data: live.rows });
      expect((await send(`${t.url}/model/monitoring`)).body.window.rows).toBe(1000);
      const reload = await send(`${t.url}/model/reload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(reload.status).toBe(200);
      const after = (await send(`${t.url}/model/monitoring`)).body;
      expect(after.window.rows).toBe(0);
      expect(after.status).toBe('insufficient_data');
    } finally {
      await t.close();
    }
  });

  it('with MONITOR_WINDOW_ROWS=0 counts nothing, says so, and still gives percentiles', async () => {
    const { monitoring } = await monitorAfter('shifted', { MONITOR_WINDOW_ROWS: '0' });
    expect(monitoring.body.status).toBe('insufficient_data');
    expect(monitoring.body.reason).toMatch(/monitoring is off/);
    expect(monitoring.body.window.rows).toBe(0);
  });
});

describe('GET /model/monitoring with missing values (a model that accepts them)', () => {
  it("leaves nulls out of the PSI and the live mean, and reports each feature's missing share", async () => {
    // Trained as scikit-learn 1.9 trains on NaN: every 7th training row misses memory_load.
    const train = driftCsv('train').x;
    const holed = { ...train, data: train.data.slice() };
    for (let i = 0; i < holed.rows; i += 7) holed.data[i * 3 + 1] = NaN;
    const t = await startTestApp({ MODEL_PATH: driftModelFile('missing-model.json', holed) });
    try {
      const info = await send(`${t.url}/model`);
      expect(info.body.accepts_missing_values).toBe(true);
      // Every 4th live row sends memory_load as null (a missing value).
      const live = driftCsv('live-unshifted').rows.map((row, i) =>
        i % 4 === 0 ? [row[0], null, row[2]] : row,
      );
      const res = await postJson(`${t.url}/predict/batch`, { data: live });
      expect(res.status).toBe(200);
      const m = await send(`${t.url}/model/monitoring`);
      expect(m.status).toBe(200);
      expect(m.body.window.rows).toBe(live.length);
      const memory = m.body.features[1];
      expect(memory.missing_share).toBe(Math.ceil(live.length / 4) / live.length);
      expect(m.body.features[0].missing_share).toBe(0);
      const present = live.filter((r) => r[1] !== null).map((r) => r[1] as number);
      expect(memory.live_mean).toBeCloseTo(present.reduce((a, b) => a + b, 0) / present.length, 9);
      // The same distribution with holes: the values present still match training, no drift.
      expect(memory.psi).toBeLessThan(0.1);
      expect(m.body.status).toBe('ok');
      const report = await send(`${t.url}/model/report`);
      expect(report.status).toBe(200);
      expect(report.text).toContain('<th>missing</th>');
      expect(report.text).toContain(
        `${(100 * memory.missing_share).toPrecision(3).replace(/\.?0+$/, '')}%`,
      );
    } finally {
      await t.close();
    }
  });
});

describe('models without a training reference, auth and bad input', () => {
  it('a version-1 model: percentiles null, monitoring says why', async () => {
    const v1 = join(__dirname, '..', 'fixtures', 'artifacts', 'format-v1-default-model.json');
    const t = await startTestApp({ MODEL_PATH: v1 });
    try {
      const p = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
      expect(p.body.prediction_score).toBe(1);
      expect(p.body.anomaly_percentile).toBe(null);
      const m = await send(`${t.url}/model/monitoring`);
      expect(m.status).toBe(200);
      expect(m.body.status).toBe('insufficient_data');
      expect(m.body.reason).toMatch(/format version 1/);
      expect(m.body.anomaly_rate.expected).toBe(null);
      expect(m.body.features[0]).toEqual({
        name: 'cpu_usage',
        psi: null,
        live_mean: null,
        missing_share: null,
        reference_mean: null,
        drifting: false,
      });
      const report = await send(`${t.url}/model/report`);
      expect(report.status).toBe(200);
      expect(report.text).toContain('No training reference.');
    } finally {
      await t.close();
    }
  });

  it('needs the API key like GET /model; an unknown model is 404, a bad name 400', async () => {
    const key = 'monitoring-test-key-0123456789';
    const t = await startTestApp({ API_KEY: key });
    try {
      for (const path of ['/model/monitoring', '/model/report']) {
        const denied = await send(`${t.url}${path}`);
        expect(denied.status).toBe(401);
        expect(denied.headers.get('content-type')).toMatch(/problem\+json/);
        const ok = await send(`${t.url}${path}`, { headers: { 'x-api-key': key } });
        expect(ok.status).toBe(200);
      }
      const unknown = await send(`${t.url}/model/monitoring?model=nope`, {
        headers: { 'x-api-key': key },
      });
      expect(unknown.status).toBe(404);
      const bad = await send(`${t.url}/model/monitoring?model=%20bad`, {
        headers: { 'x-api-key': key },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('model');
    } finally {
      await t.close();
    }
  });
});
