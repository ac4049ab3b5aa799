import { readFileSync } from 'node:fs';
import { decodeArtifact } from '../../src/artifact';
import type { ModelArtifact } from '../../src/artifact/model-artifact';
import { matrixFromRows, scoreSamples } from '../../src/engine';
import { anomalyPercentile } from '../../src/monitoring';
import { clusteredRows } from '../helpers/model-files';
import { DEFAULT_MODEL, postJson, send, startTestApp, type TestApp } from '../helpers/test-app';

/** What the engine says about `rows` with `model`: the values the HTTP API must return. */
function expected(model: ModelArtifact, rows: number[][]) {
  const scores = scoreSamples(model.forest, matrixFromRows(rows));
  return Array.from(scores, (s) => ({
    prediction_score: s - model.offset < 0 ? -1 : 1,
    is_anomaly: s - model.offset < 0,
    anomaly_score: -s,
    decision_function: s - model.offset,
    anomaly_percentile: anomalyPercentile(model.reference!.percentileScores, -s),
  }));
}

describe('POST /predict and /predict/batch (real server, default model)', () => {
  let t: TestApp;
  const model = decodeArtifact(readFileSync(DEFAULT_MODEL));

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("answers the seed's two requests: [-5.5, 5.2] is an anomaly, [2.1, 2.1] is not", async () => {
    const anomaly = await postJson(`${t.url}/predict`, { data: [-5.5, 5.2] });
    const normal = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
    expect(anomaly.status).toBe(200);
    expect(normal.status).toBe(200);
    expect(anomaly.body.prediction_score).toBe(-1);
    expect(anomaly.body.is_anomaly).toBe(true);
    expect(normal.body.prediction_score).toBe(1);
    expect(normal.body.is_anomaly).toBe(false);
  });

  it('returns exactly the engine scores, the threshold and the model version', async () => {
    const rows = [
      [-5.5, 5.2],
      [2.1, 2.1],
      [0, 0],
      [-2, -2.1],
      [1e6, -1e6],
    ];
    const want = expected(model, rows);
    for (let i = 0; i < rows.length; i++) {
      const res = await postJson(`${t.url}/predict`, { data: rows[i] });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        ...want[i],
        threshold: -model.offset,
        model_version: model.modelVersion,
      });
      // The documented relations between the fields.
      expect(res.body.is_anomaly).toBe(res.body.anomaly_score > res.body.threshold);
      expect(res.body.anomaly_score).toBeGreaterThan(0);
      expect(res.body.anomaly_score).toBeLessThanOrEqual(1);
    }
  });

  it('accepts features keyed by name, in any order, with the same result as data', async () => {
    const byData = await postJson(`${t.url}/predict`, { data: [-5.5, 5.2] });
    const byName = await postJson(`${t.url}/predict`, {
      features: { memory_load: 5.2, cpu_usage: -5.5 },
    });
    expect(byName.status).toBe(200);
    expect(byName.body).toEqual(byData.body);
  });

  it('scores a batch in input order, equal to single predictions', async () => {
    const x = clusteredRows(50, 2, 7);
    const rows: number[][] = [];
    for (let i = 0; i < x.rows; i++) rows.push([x.data[2 * i], x.data[2 * i + 1]]);
    rows.push([-5.5, 5.2], [2.1, 2.1]);
    const res = await postJson(`${t.url}/predict/batch`, { data: rows });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body.model_version).toBe(model.modelVersion);
    expect(res.body.predictions).toEqual(expected(model, rows));
    expect(res.body.predictions.at(-2).prediction_score).toBe(-1);
    expect(res.body.predictions.at(-1).prediction_score).toBe(1);
  });

  it('scores 10,000 rows (the default MAX_BATCH_ROWS) and refuses 10,001', async () => {
    const x = clusteredRows(10_001, 2, 11);
    const rows: number[][] = [];
    for (let i = 0; i < x.rows; i++) rows.push([x.data[2 * i], x.data[2 * i + 1]]);
    const ok = await postJson(`${t.url}/predict/batch`, { data: rows.slice(0, 10_000) });
    expect(ok.status).toBe(200);
    expect(ok.body.predictions).toHaveLength(10_000);
    expect(ok.body.predictions).toEqual(expected(model, rows.slice(0, 10_000)));
    const tooMany = await postJson(`${t.url}/predict/batch`, { data: rows });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([
      { field: 'data', message: 'must contain at most 10000 rows (MAX_BATCH_ROWS), got 10001' },
    ]);
  });

  it('keeps answering single predictions while a large batch is scored', async () => {
    const x = clusteredRows(10_000, 2, 13);
    const rows: number[][] = [];
    for (let i = 0; i < x.rows; i++) rows.push([x.data[2 * i], x.data[2 * i + 1]]);
    const batch = postJson(`${t.url}/predict/batch`, { data: rows });
    const singles = await Promise.all(
      Array.from({ length: 20 }, () => postJson(`${t.url}/predict`, { data: [2.1, 2.1] })),
    );
    expect(singles.every((r) => r.status === 200)).toBe(true);
    expect((await batch).status).toBe(200);
  });

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    const kept = await postJson(
      `${t.url}/predict`,
      { data: [2.1, 2.1] },
      { 'x-request-id': 'gw-123.abc:7' },
    );
    expect(kept.headers.get('x-request-id')).toBe('gw-123.abc:7');
    const unsafe = await postJson(
      `${t.url}/predict`,
      { data: [2.1, 2.1] },
      { 'x-request-id': 'a b<script>' },
    );
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const long = await postJson(
      `${t.url}/predict`,
      { data: [2.1, 2.1] },
      { 'x-request-id': 'a'.repeat(129) },
    );
    expect(long.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes one JSON log line per request with id, route, status, latency and model version', async () => {
    await postJson(`${t.url}/predict`, { data: [2.1, 2.1] }, { 'x-request-id': 'log-check-1' });
    await postJson(`${t.url}/predict`, { data: 'x' }, { 'x-request-id': 'log-check-2' });
    await send(`${t.url}/no-such-route`, { headers: { 'x-request-id': 'log-check-3' } });
    const lines = t
      .logs()
      .filter((l) => typeof l.reqId === 'string' && l.reqId.startsWith('log-check-'));
    expect(lines).toHaveLength(3);
    const [ok, bad, missing] = lines;
    expect(ok).toMatchObject({
      msg: 'request completed',
      level: 'info',
      method: 'POST',
      route: '/predict',
      status: 200,
      model_version: model.modelVersion,
    });
    expect(typeof ok.latency_ms).toBe('number');
    expect(bad).toMatchObject({ route: '/predict', status: 400, level: 'warn' });
    expect(missing).toMatchObject({ route: 'unmatched', status: 404 });
  });

  it('sends security headers and no X-Powered-By', async () => {
    const res = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(res.headers.get('strict-transport-security')).toBeTruthy();
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
