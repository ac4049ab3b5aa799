// The service serving scikit-learn files directly: MODEL_PATH=<.pkl/.joblib>. The compiled
// service as a process answers the seed contract and scikit-learn's own predictions for the
// fixture rows; a named joblib model takes features by name; a hostile pickle never loads (and
// never runs): the service stays up, not ready, and says why.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureBuilt,
  eventually,
  listeningUrl,
  spawnService,
  type ServiceProcess,
} from '../helpers/service-process';
import { postJson, send, startTestApp } from '../helpers/test-app';
import { HOSTILE_DIR, readCase, SKLEARN_DIR, ulpOf } from '../unit/sklearn/sklearn-fixtures';

const SEED_PICKLE = join(SKLEARN_DIR, 'seed_cpu_mem.p4.pkl');

describe('MODEL_PATH = a scikit-learn pickle (compiled service as a process)', () => {
  let service: ServiceProcess;
  let url: string;

  beforeAll(async () => {
    ensureBuilt();
    service = spawnService({
      HOST: '127.0.0.1',
      PORT: '0',
      MODEL_PATH: SEED_PICKLE,
      LOG_LEVEL: 'info',
    });
    url = await listeningUrl(service);
    await eventually(async () =>
      (await send(`${url}/health/ready`)).status === 200 ? true : undefined,
    );
  });
  afterAll(async () => {
    if (service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });

  it("answers the seed's two requests: [-5.5, 5.2] is an anomaly, [2.1, 2.1] is not", async () => {
    const anomaly = await postJson(`${url}/predict`, { data: [-5.5, 5.2] });
    const normal = await postJson(`${url}/predict`, { data: [2.1, 2.1] });
    expect(anomaly.status).toBe(200);
    expect(anomaly.body).toMatchObject({ prediction_score: -1, is_anomaly: true });
    expect(normal.status).toBe(200);
    expect(normal.body).toMatchObject({ prediction_score: 1, is_anomaly: false });
  });

  it("returns scikit-learn's predictions for every fixture row", async () => {
    const expected = readCase('seed_cpu_mem');
    const res = await postJson(`${url}/predict/batch`, { data: expected.X });
    expect(res.status).toBe(200);
    const sha256 = createHash('sha256').update(readFileSync(SEED_PICKLE)).digest('hex');
    expect(res.body.model_version).toBe(`sklearn-${sha256.slice(0, 12)}`);
    const predictions = res.body.predictions as {
      prediction_score: number;
      decision_function: number;
      anomaly_score: number;
    }[];
    expect(predictions.map((p) => p.prediction_score)).toEqual(expected.predict);
    predictions.forEach((p, i) => {
      const tolerance = 4 * ulpOf(expected.score_samples[i]);
      expect(Math.abs(p.decision_function - expected.decision_function[i])).toBeLessThanOrEqual(
        tolerance,
      );
      expect(Math.abs(-p.anomaly_score - expected.score_samples[i])).toBeLessThanOrEqual(tolerance);
    });
  });

  it('describes the model as an imported scikit-learn pickle', async () => {
    const res = await send(`${url}/model`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      source_format: 'sklearn-pickle',
      sklearn_version: '1.2.1',
      n_features: 2,
      n_estimators: 100,
      max_samples: 64,
      offset: readCase('seed_cpu_mem').fitted.offset_,
      n_training_samples: 64,
    });
  });

  it('rejects a request with the wrong number of features', async () => {
    const res = await postJson(`${url}/predict`, { data: [1, 2, 3] });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe('data must contain exactly 2 values (unnamed), got 3.');
  });
});

describe('MODEL_PATH = other scikit-learn files (real server)', () => {
  it('serves a joblib model with feature names, by name', async () => {
    const t = await startTestApp({
      MODEL_PATH: join(SKLEARN_DIR, 'seed_cpu_mem_auto_named.joblib.pkl'),
    });
    try {
      const expected = readCase('seed_cpu_mem_auto_named');
      const byName = await postJson(`${t.url}/predict`, {
        features: { memory_load: 5.2, cpu_usage: -5.5 },
      });
      expect(byName.status).toBe(200);
      expect(byName.body.prediction_score).toBe(expected.predict[0]);
      const info = await send(`${t.url}/model`);
      expect(info.body).toMatchObject({
        source_format: 'sklearn-joblib',
        feature_names: ['cpu_usage', 'memory_load'],
      });
    } finally {
      await t.close();
    }
  });

  it('never loads (or runs) a hostile pickle: up, not ready, naming the refused global', async () => {
    const { marker } = JSON.parse(readFileSync(join(HOSTILE_DIR, 'manifest.json'), 'utf8')) as {
      marker: string;
    };
    rmSync(marker, { force: true });
    const t = await startTestApp({ MODEL_PATH: join(HOSTILE_DIR, 'model-payload.joblib.pkl') });
    try {
      const health = await send(`${t.url}/health`);
      expect(health.status).toBe(503);
      expect(health.body.error.model.reason).toMatch(/refused global posix\.system.*at byte 4763/);
      const predict = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
      expect(predict.status).toBe(503);
      expect(existsSync(marker)).toBe(false);
    } finally {
      await t.close();
    }
  });
});
