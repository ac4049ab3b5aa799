// MODEL_REPOSITORY on a real server: a Triton-layout repository with a native model in two
// versions, a real scikit-learn pickle, a real joblib file and a corrupt model. Version routing,
// per-model failure isolation, the repository extension (index, load, unload) while requests
// run, the domain routes for any model, health and metrics per model.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCase, ulpOf } from '../unit/sklearn/sklearn-fixtures';
import {
  DETECTOR_V2,
  JOBLIB_CASE,
  PICKLE_CASE,
  writeTestRepository,
  writeVersion,
} from '../helpers/model-repository';
import { trainArtifact } from '../helpers/model-files';
import { TempModelDir } from '../helpers/temp-model-dir';
import {
  DEFAULT_MODEL,
  postJson,
  send,
  startTestApp,
  type TestApp,
  type TestResponse,
} from '../helpers/test-app';

const TOKEN = 'admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${TOKEN}` };

function infer(url: string, path: string, rows: number[][]): Promise<TestResponse> {
  return postJson(`${url}/v2/models/${path}/infer`, {
    inputs: [{ name: 'x', shape: [rows.length, rows[0].length], datatype: 'FP64', data: rows }],
  });
}

function output(res: TestResponse, name: string): number[] {
  return (res.body.outputs as { name: string; data: number[] }[]).find((o) => o.name === name)!
    .data;
}

function admin(url: string, path: string, body?: unknown): Promise<TestResponse> {
  return send(`${url}/v2/repository${path}`, {
    method: 'POST',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('MODEL_REPOSITORY (real server, real scikit-learn files)', () => {
  const dir = new TempModelDir();
  let t: TestApp;
  beforeAll(async () => {
    writeTestRepository(dir.path, { broken: true });
    t = await startTestApp({ MODEL_REPOSITORY: dir.path, ADMIN_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  it('loads every model and version, and isolates the corrupt one with its reason', async () => {
    const index = await admin(t.url, '/index');
    expect(index.status).toBe(200);
    expect(index.body).toEqual([
      { name: 'anomaly-detector', version: '1', state: 'READY', reason: '' },
      { name: 'anomaly-detector', version: '2', state: 'READY', reason: '' },
      {
        name: 'broken',
        version: '1',
        state: 'UNAVAILABLE',
        reason: expect.stringMatching(/^model file is invalid: /),
      },
      { name: 'cpu-mem-pickle', version: '1', state: 'READY', reason: '' },
      { name: 'five-features', version: '3', state: 'READY', reason: '' },
    ]);
    expect((await admin(t.url, '/index', { ready: true })).body).toHaveLength(4);
    const ready = await send(`${t.url}/v2/health/ready`);
    expect({ status: ready.status, body: ready.body }).toEqual({
      status: 503,
      body: { ready: false },
    });
    const broken = await infer(t.url, 'broken', [[1, 2]]);
    expect(broken.status).toBe(503);
    expect(broken.body.error).toMatch(
      /^model "broken" version 1 is not ready: model file is invalid/,
    );
    expect((await infer(t.url, 'cpu-mem-pickle', [[1, 2]])).status).toBe(200);
  });

  it('reports one health indicator per model', async () => {
    const health = await send(`${t.url}/health`);
    expect(health.status).toBe(503);
    expect(Object.keys(health.body.details).sort()).toEqual([
      'model:anomaly-detector',
      'model:broken',
      'model:cpu-mem-pickle',
      'model:five-features',
    ]);
    expect(health.body.details['model:anomaly-detector']).toMatchObject({
      status: 'up',
      version: DETECTOR_V2,
      versions: [1, 2],
    });
    expect(health.body.details['model:broken']).toMatchObject({
      status: 'down',
      reason: expect.stringMatching(/^model file is invalid/),
    });
    expect((await send(`${t.url}/health/ready`)).status).toBe(503);
  });

  it('routes a request without a version to the highest one, and any version by number', async () => {
    const seed = [
      [-5.5, 5.2],
      [2.1, 2.1],
    ];
    const latest = await infer(t.url, 'anomaly-detector', seed);
    expect(latest.body).toMatchObject({
      model_version: '2',
      parameters: { artifact_version: DETECTOR_V2 },
    });
    const v1 = await infer(t.url, 'anomaly-detector/versions/1', seed);
    expect(v1.body.model_version).toBe('1');
    expect(output(v1, 'predict')).toEqual([-1, 1]);
    expect(output(v1, 'anomaly_score')).toEqual([0.7851608520150554, 0.3877965181092329]);
    expect(output(latest, 'anomaly_score')).not.toEqual(output(v1, 'anomaly_score'));
    expect((await send(`${t.url}/v2/models/anomaly-detector`)).body.versions).toEqual(['1', '2']);
    // The domain API serves MODEL_NAME's highest version.
    const predict = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
    expect(predict.body.model_version).toBe(DETECTOR_V2);
    expect(predict.body.anomaly_score).toBe(output(latest, 'anomaly_score')[1]);
  });

  it.each([
    ['cpu-mem-pickle', PICKLE_CASE, 'sklearn_pickle'],
    ['five-features', JOBLIB_CASE, 'sklearn_joblib'],
  ])(
    '%s answers what scikit-learn answers, on OIP and on the domain routes',
    async (name, fixture, platform) => {
      const expected = readCase(fixture);
      const meta = await send(`${t.url}/v2/models/${name}`);
      expect(meta.body).toMatchObject({
        platform,
        inputs: [{ name: 'input', datatype: 'FP64', shape: [-1, expected.X[0].length] }],
      });
      const res = await infer(t.url, name, expected.X);
      expect(res.status).toBe(200);
      expect(output(res, 'predict')).toEqual(expected.predict);
      output(res, 'score_samples').forEach((s, i) => {
        expect(Math.abs(s - expected.score_samples[i])).toBeLessThanOrEqual(
          4 * ulpOf(expected.score_samples[i]),
        );
      });
      const batch = await postJson(`${t.url}/models/${name}/predict/batch`, { data: expected.X });
      expect(batch.status).toBe(200);
      expect(
        batch.body.predictions.map((p: { anomaly_score: number }) => -p.anomaly_score),
      ).toEqual(output(res, 'score_samples'));
      const one = await postJson(`${t.url}/models/${name}/predict`, { data: expected.X[0] });
      expect(one.body.prediction_score).toBe(expected.predict[0]);
      const info = await send(`${t.url}/models/${name}`);
      expect(info.body).toMatchObject({
        n_features: expected.X[0].length,
        source_format: platform.replace('_', '-'),
      });
    },
  );

  it('answers the domain routes with problems: 404 for an unknown model, 503 for a broken one', async () => {
    const unknown = await postJson(`${t.url}/models/nope/predict`, { data: [1, 2] });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      type: 'urn:ml-anomaly-api:problem:model-not-found',
      detail: 'The model "nope" is not in the repository.',
    });
    const broken = await postJson(`${t.url}/models/broken/predict`, { data: [1, 2] });
    expect(broken.status).toBe(503);
    expect(broken.body.detail).toMatch(/^No model is loaded: model file is invalid/);
    const wrongWidth = await postJson(`${t.url}/models/five-features/predict`, { data: [1, 2] });
    expect(wrongWidth.status).toBe(400);
    expect(wrongWidth.body.detail).toMatch(/^data must contain exactly 5 values/);
  });

  it('labels the prediction and model metrics by model (and version)', async () => {
    const m = (await send(`${t.url}/metrics`)).text;
    expect(m).toMatch(/^predictions_total\{model="cpu-mem-pickle",outcome="normal"\} \d+$/m);
    expect(m).toMatch(
      /^model_info\{model="anomaly-detector",version="2",model_version="detector-v2",/m,
    );
    expect(m).toMatch(/^model_info\{model="anomaly-detector",version="1",/m);
    expect(m).toMatch(/^model_loaded\{model="broken"\} 0$/m);
    expect(m).toMatch(/^model_loaded\{model="five-features"\} 1$/m);
  });

  it('replaces a model without a restart: a fixed file loads, then the server is ready', async () => {
    const failed = await admin(t.url, '/models/cpu-mem-pickle/load');
    expect(failed.status).toBe(200);
    writeVersion(
      dir.path,
      'broken',
      1,
      'model.json',
      trainArtifact({ seed: 9, modelVersion: 'fixed' }),
    );
    const loaded = await admin(t.url, '/models/broken/load');
    expect({ status: loaded.status, body: loaded.body }).toEqual({ status: 200, body: {} });
    expect((await infer(t.url, 'broken', [[1, 2]])).body.parameters.artifact_version).toBe('fixed');
    expect((await send(`${t.url}/v2/health/ready`)).body).toEqual({ ready: true });
    expect((await send(`${t.url}/health`)).status).toBe(200);
  });

  it('keeps a serving model when its reload fails (400 says why), and 404s unknown models', async () => {
    writeVersion(dir.path, 'broken', 1, 'model.json', '{"oops"');
    const failed = await admin(t.url, '/models/broken/load');
    expect({ status: failed.status, body: failed.body }).toEqual({
      status: 400,
      body: { error: 'failed to load the model: model file is invalid: not valid JSON' },
    });
    expect((await infer(t.url, 'broken', [[1, 2]])).body.parameters.artifact_version).toBe('fixed');
    const missing = await admin(t.url, '/models/nope/load');
    expect({ status: missing.status, body: missing.body }).toEqual({
      status: 404,
      body: { error: 'model "nope" is not in the repository' },
    });
    const missingUnload = await admin(t.url, '/models/nope/unload');
    expect(missingUnload.status).toBe(404);
    const badIndex = await admin(t.url, '/index', { ready: 'yes' });
    expect({ status: badIndex.status, body: badIndex.body }).toEqual({
      status: 400,
      body: { error: 'ready must be a boolean, got a string.' },
    });
  });

  it('loads a model added after start-up', async () => {
    mkdirSync(join(dir.path, 'added', '1'), { recursive: true });
    copyFileSync(DEFAULT_MODEL, join(dir.path, 'added', '1', 'model.json'));
    expect((await admin(t.url, '/index')).body).toContainEqual({
      name: 'added',
      state: 'UNAVAILABLE',
      reason: 'not loaded',
    });
    expect((await infer(t.url, 'added', [[1, 2]])).status).toBe(404);
    expect((await admin(t.url, '/models/added/load')).status).toBe(200);
    expect(output(await infer(t.url, 'added', [[-5.5, 5.2]]), 'predict')).toEqual([-1]);
  });

  it('unloads and loads while requests run: every answer is a right one or a 503', async () => {
    const rows = readCase(PICKLE_CASE).X.slice(0, 20);
    const expected = output(await infer(t.url, 'cpu-mem-pickle', rows), 'score_samples');
    let running = true;
    const statuses: number[] = [];
    const client = async (): Promise<void> => {
      while (running) {
        const res = await infer(t.url, 'cpu-mem-pickle', rows);
        statuses.push(res.status);
        if (res.status === 200) expect(output(res, 'score_samples')).toEqual(expected);
        else {
          expect(res.status).toBe(503);
          expect(res.body).toEqual({
            error: 'model "cpu-mem-pickle" version 1 is not ready: unloaded',
          });
        }
      }
    };
    const readyBefore = (await send(`${t.url}/v2/health/ready`)).status;
    const clients = Array.from({ length: 4 }, client);
    for (let cycle = 0; cycle < 5; cycle++) {
      expect((await admin(t.url, '/models/cpu-mem-pickle/unload')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 40));
      const index = (await admin(t.url, '/index')).body as { name: string; reason: string }[];
      expect(index.find((r) => r.name === 'cpu-mem-pickle')?.reason).toBe('unloaded');
      // Unloaded on request: not a readiness failure.
      expect((await send(`${t.url}/v2/health/ready`)).status).toBe(readyBefore);
      expect((await admin(t.url, '/models/cpu-mem-pickle/load')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 40));
    }
    running = false;
    await Promise.all(clients);
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses).toContain(200);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect((await infer(t.url, 'cpu-mem-pickle', rows)).status).toBe(200);
  }, 60_000);
});

describe('MODEL_REPOSITORY edge cases (real server)', () => {
  const dir = new TempModelDir();
  afterAll(() => dir.remove());

  it('a missing repository: live, not ready, and says why', async () => {
    const t = await startTestApp({ MODEL_REPOSITORY: join(dir.path, 'nowhere') });
    try {
      const health = await send(`${t.url}/health`);
      expect(health.status).toBe(503);
      expect(health.body.error.models.reason).toBe(
        'no model is loaded: model repository (MODEL_REPOSITORY) not found',
      );
      expect((await send(`${t.url}/v2/health/ready`)).status).toBe(503);
      expect((await send(`${t.url}/v2/health/live`)).status).toBe(200);
      const predict = await postJson(`${t.url}/predict`, { data: [1, 2] });
      expect(predict.status).toBe(503);
      expect(predict.body.detail).toBe(
        'No model is loaded: model repository (MODEL_REPOSITORY) not found',
      );
    } finally {
      await t.close();
    }
  });

  it('explains empty version folders, extra files, and folders that are not versions', async () => {
    const root = join(dir.path, 'repo');
    mkdirSync(join(root, 'empty', '1'), { recursive: true });
    writeVersion(root, 'two-files', 1, 'a.json', '{}');
    writeVersion(root, 'two-files', 1, 'b.json', '{}');
    writeVersion(root, 'ok', 1, 'model.json', trainArtifact({ seed: 3 }));
    writeFileSync(join(root, 'ok', '1', '.hidden'), 'ignored');
    mkdirSync(join(root, 'ok', 'latest'), { recursive: true });
    mkdirSync(join(root, 'ok', '007'), { recursive: true });
    mkdirSync(join(root, 'no-versions'), { recursive: true });
    mkdirSync(join(root, '.git'), { recursive: true });
    const t = await startTestApp({ MODEL_REPOSITORY: root, ADMIN_TOKEN: TOKEN });
    try {
      expect((await admin(t.url, '/index')).body).toEqual([
        {
          name: 'empty',
          version: '1',
          state: 'UNAVAILABLE',
          reason: 'version folder holds no model file',
        },
        { name: 'no-versions', state: 'UNAVAILABLE', reason: 'no model versions found' },
        { name: 'ok', version: '1', state: 'READY', reason: '' },
        {
          name: 'two-files',
          version: '1',
          state: 'UNAVAILABLE',
          reason: 'version folder holds 2 files; expected one model file',
        },
      ]);
      // MODEL_NAME (anomaly-detector) is not in this repository.
      const predict = await postJson(`${t.url}/predict`, { data: [1, 2] });
      expect(predict.status).toBe(503);
      expect(predict.body.detail).toBe(
        'No model is loaded: model "anomaly-detector" is not in the repository',
      );
    } finally {
      await t.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
