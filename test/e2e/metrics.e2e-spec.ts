import { readFileSync } from 'node:fs';
import { decodeArtifact } from '../../src/artifact';
import { DEFAULT_MODEL, postJson, send, startTestApp, type TestApp } from '../helpers/test-app';

/** The value of the sample line `name{labels} value`, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics (real server)', () => {
  let t: TestApp;
  const version = decodeArtifact(readFileSync(DEFAULT_MODEL)).modelVersion;

  beforeAll(async () => {
    t = await startTestApp();
    await postJson(`${t.url}/predict`, { data: [-5.5, 5.2] });
    await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
    await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
    await postJson(`${t.url}/predict`, { data: 'bad' });
    await postJson(`${t.url}/predict/batch`, {
      data: [
        [-5.5, 5.2],
        [2.1, 2.1],
        [2, 2],
      ],
    });
    await send(`${t.url}/nowhere`);
  });
  afterAll(() => t.close());

  it('is Prometheus text with the request, prediction, model and process metrics', async () => {
    const res = await send(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;/);
    expect(res.headers.get('content-type')).toContain('version=0.0.4');
    const m = res.text;
    // Request durations by route and status (bounded labels: unknown paths are "unmatched").
    expect(
      sample(
        m,
        'http_request_duration_seconds_count',
        'method="POST",route="/predict",status_code="200"',
      ),
    ).toBe(3);
    expect(
      sample(
        m,
        'http_request_duration_seconds_count',
        'method="POST",route="/predict",status_code="400"',
      ),
    ).toBe(1);
    expect(
      sample(
        m,
        'http_request_duration_seconds_count',
        'method="POST",route="/predict/batch",status_code="200"',
      ),
    ).toBe(1);
    expect(
      sample(
        m,
        'http_request_duration_seconds_count',
        'method="GET",route="unmatched",status_code="404"',
      ),
    ).toBe(1);
    expect(m).not.toContain('/nowhere');
    // Predictions by model and outcome: 3 single + 3 batch rows; [-5.5, 5.2] is the only
    // anomaly, twice.
    const model = 'model="anomaly-detector"';
    expect(sample(m, 'predictions_total', `${model},outcome="anomaly"`)).toBe(2);
    expect(sample(m, 'predictions_total', `${model},outcome="normal"`)).toBe(4);
    expect(sample(m, 'anomaly_score_count', model)).toBe(6);
    expect(sample(m, 'anomaly_score_bucket', `${model},le="1"`)).toBe(6);
    expect(sample(m, 'predict_batch_rows_count')).toBe(1);
    expect(sample(m, 'predict_batch_rows_sum')).toBe(3);
    // The model: name, repository version and the artifact's version id.
    expect(m).toMatch(
      new RegExp(
        `model_info\\{model="anomaly-detector",version="1",model_version="${version}",sha256="[0-9a-f]{64}",source_format="native"\\} 1`,
      ),
    );
    expect(sample(m, 'model_loaded', model)).toBe(1);
    expect(sample(m, 'model_reloads_total', `${model},result="success",trigger="startup"`)).toBe(1);
    // Default Node process metrics.
    expect(m).toContain('process_cpu_user_seconds_total');
    expect(m).toContain('nodejs_eventloop_lag_seconds');
    expect(m).toContain('nodejs_heap_size_used_bytes');
  });

  it('reports no model when none is loaded', async () => {
    const empty = await startTestApp({ MODEL_PATH: '/nonexistent/model.json' });
    try {
      const m = (await send(`${empty.url}/metrics`)).text;
      const model = 'model="anomaly-detector"';
      expect(sample(m, 'model_loaded', model)).toBe(0);
      expect(m).not.toMatch(/^model_info\{/m);
      expect(sample(m, 'model_reloads_total', `${model},result="failure",trigger="startup"`)).toBe(
        1,
      );
    } finally {
      await empty.close();
    }
  });
});
