import { readFileSync } from 'node:fs';
import { decodeArtifact } from '../../src/artifact';
import { LifecycleService } from '../../src/lifecycle/lifecycle.service';
import { trainArtifact, clusteredRows } from '../helpers/model-files';
import { TempModelDir } from '../helpers/temp-model-dir';
import { DEFAULT_MODEL, postJson, send, startTestApp, type TestApp } from '../helpers/test-app';

const ADMIN_TOKEN = 'admin-token-for-e2e-tests-0123456789';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const DEFAULT_VERSION = decodeArtifact(readFileSync(DEFAULT_MODEL)).modelVersion;

async function expectNotReady(t: TestApp, reason: RegExp): Promise<void> {
  const health = await send(`${t.url}/health`);
  expect(health.status).toBe(503);
  expect(health.headers.get('content-type')).toMatch(/^application\/json/);
  expect(health.body).toMatchObject({ status: 'error', error: { model: { status: 'down' } } });
  expect(health.body.error.model.reason).toMatch(reason);
  const ready = await send(`${t.url}/health/ready`);
  expect(ready.status).toBe(503);
  expect(ready.body.error.model.reason).toMatch(reason);
  const live = await send(`${t.url}/health/live`);
  expect(live.status).toBe(200);
  expect(live.body.status).toBe('ok');
  const predict = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
  expect(predict.status).toBe(503);
  expect(predict.headers.get('retry-after')).toBe('10');
  expect(predict.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  expect(predict.body).toMatchObject({
    type: 'urn:ml-anomaly-api:problem:model-unavailable',
    status: 503,
  });
  expect(predict.body.detail).toMatch(reason);
  expect((await send(`${t.url}/model`)).status).toBe(503);
  // Nothing about where the file is.
  for (const res of [health, ready, predict]) expect(res.text).not.toContain('/tmp');
}

describe('health states (real server, real model files)', () => {
  const dir = new TempModelDir();
  afterAll(() => dir.remove());

  it('loaded: /health, /health/ready and /health/live are up with the model details', async () => {
    const t = await startTestApp();
    try {
      const health = await send(`${t.url}/health`);
      expect(health.status).toBe(200);
      expect(health.headers.get('cache-control')).toContain('no-store');
      expect(health.body).toMatchObject({
        status: 'ok',
        info: { model: { status: 'up', version: DEFAULT_VERSION, n_features: 2 } },
      });
      expect(Date.parse(health.body.info.model.loaded_at)).not.toBeNaN();
      const ready = await send(`${t.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(ready.body.info).toMatchObject({
        model: { status: 'up' },
        shutdown: { status: 'up' },
      });
      expect((await send(`${t.url}/health/live`)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('missing file: the service starts, readiness is down with the reason, liveness stays up', async () => {
    const t = await startTestApp({ MODEL_PATH: dir.file('absent.json') });
    try {
      await expectNotReady(t, /model file not found/);
    } finally {
      await t.close();
    }
  });

  it('corrupt file (one byte changed): down with the reason', async () => {
    const t = await startTestApp({ MODEL_PATH: dir.writeCorrupt('corrupt.json') });
    try {
      await expectNotReady(t, /model file is invalid/);
    } finally {
      await t.close();
    }
  });

  it('truncated file: down with the reason', async () => {
    const t = await startTestApp({ MODEL_PATH: dir.writeTruncated('truncated.json') });
    try {
      await expectNotReady(t, /model file is invalid/);
    } finally {
      await t.close();
    }
  });

  it('a directory as MODEL_PATH: down with the reason', async () => {
    const t = await startTestApp({ MODEL_PATH: dir.path });
    try {
      await expectNotReady(t, /is a directory/);
    } finally {
      await t.close();
    }
  });

  it('shutting down: readiness turns 503 at once while liveness and /health stay up', async () => {
    const t = await startTestApp();
    try {
      t.app.get(LifecycleService).beginShutdown();
      const ready = await send(`${t.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body.error).toEqual({ shutdown: { status: 'down', reason: 'shutting down' } });
      expect(ready.headers.get('connection')).toBe('close');
      expect((await send(`${t.url}/health/live`)).status).toBe(200);
      expect((await send(`${t.url}/health`)).status).toBe(200);
      // In-flight and new requests are still served during the drain.
      expect((await postJson(`${t.url}/predict`, { data: [2.1, 2.1] })).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('POST /model/reload (real server, real files)', () => {
  const dir = new TempModelDir();
  afterAll(() => dir.remove());

  it('loads a model that appeared after start-up, then swaps in a different one', async () => {
    const path = dir.file('reload.json');
    const t = await startTestApp({ MODEL_PATH: path, ADMIN_TOKEN });
    try {
      await expectNotReady(t, /not found/);
      dir.copyDefault('reload.json');
      const first = await postJson(`${t.url}/model/reload`, {}, ADMIN);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        status: 'reloaded',
        previous_version: null,
        model: { model_version: DEFAULT_VERSION, feature_names: ['cpu_usage', 'memory_load'] },
      });
      expect((await send(`${t.url}/health`)).body.info.model.version).toBe(DEFAULT_VERSION);

      dir.write('reload.json', trainArtifact({ seed: 7, modelVersion: 'second-model' }));
      const second = await send(`${t.url}/model/reload`, { method: 'POST', headers: ADMIN });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({
        previous_version: DEFAULT_VERSION,
        model: { model_version: 'second-model', last_load: { ok: true, trigger: 'api' } },
      });
      const predicted = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
      expect(predicted.body.model_version).toBe('second-model');
      const metrics = (await send(`${t.url}/metrics`)).text;
      expect(metrics).toMatch(
        /model_reloads_total\{model="anomaly-detector",result="success",trigger="api"\} 2/,
      );
      expect(metrics).toMatch(
        /model_info\{model="anomaly-detector",version="1",model_version="second-model",[^}]*\} 1/,
      );
      expect(metrics).not.toMatch(new RegExp(`model_version="${DEFAULT_VERSION}"`));
    } finally {
      await t.close();
    }
  });

  it('a failed reload says why and keeps the old model serving', async () => {
    const path = dir.copyDefault('keep.json');
    const t = await startTestApp({ MODEL_PATH: path, ADMIN_TOKEN });
    try {
      for (const breakFile of [
        () => dir.writeCorrupt('keep.json'),
        () => dir.writeTruncated('keep.json'),
        () => dir.write('keep.json', '{"format":"something-else"}'),
        () => dir.write('keep.json', '{"oops"'),
      ]) {
        breakFile();
        const res = await send(`${t.url}/model/reload`, { method: 'POST', headers: ADMIN });
        expect(res.status).toBe(422);
        expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
        expect(res.body).toMatchObject({
          type: 'urn:ml-anomaly-api:problem:model-reload-failed',
          status: 422,
          serving_model_version: DEFAULT_VERSION,
        });
        expect(res.body.detail).toMatch(/model file is invalid/);
        expect(res.body.detail).toContain(`Model ${DEFAULT_VERSION} keeps serving`);
        expect(res.text).not.toContain(dir.path);
        expect(res.text).not.toMatch(/position \d|line \d+ column/);
        const health = await send(`${t.url}/health`);
        expect(health.status).toBe(200);
        expect(health.body.info.model.version).toBe(DEFAULT_VERSION);
        const predicted = await postJson(`${t.url}/predict`, { data: [-5.5, 5.2] });
        expect(predicted.body).toMatchObject({
          prediction_score: -1,
          model_version: DEFAULT_VERSION,
        });
      }
      const model = await send(`${t.url}/model`);
      expect(model.body.last_load).toMatchObject({ ok: false, trigger: 'api' });
      const metrics = (await send(`${t.url}/metrics`)).text;
      expect(metrics).toMatch(
        /model_reloads_total\{model="anomaly-detector",result="failure",trigger="api"\} 4/,
      );
    } finally {
      await t.close();
    }
  });

  it('a batch scored while a reload lands uses one model for every row', async () => {
    const path = dir.copyDefault('swap.json');
    const t = await startTestApp({ MODEL_PATH: path, ADMIN_TOKEN });
    try {
      const other = trainArtifact({ seed: 99, modelVersion: 'swapped-in' });
      const x = clusteredRows(10_000, 2, 5);
      const rows: number[][] = [];
      for (let i = 0; i < x.rows; i++) rows.push([x.data[2 * i], x.data[2 * i + 1]]);
      dir.write('swap.json', other);
      const [batch, reload] = await Promise.all([
        postJson(`${t.url}/predict/batch`, { data: rows }),
        send(`${t.url}/model/reload`, { method: 'POST', headers: ADMIN }),
      ]);
      expect(reload.status).toBe(200);
      expect(batch.status).toBe(200);
      const used = batch.body.model_version === 'swapped-in' ? other : readFileSync(DEFAULT_MODEL);
      const { scoreSamples, matrixFromRows } = await import('../../src/engine');
      const artifact = decodeArtifact(used);
      const scores = scoreSamples(artifact.forest, matrixFromRows(rows));
      expect(batch.body.predictions.map((p: { anomaly_score: number }) => p.anomaly_score)).toEqual(
        Array.from(scores, (s) => -s),
      );
    } finally {
      await t.close();
    }
  });
});
