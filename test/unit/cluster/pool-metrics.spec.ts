import { MetricsService, type MetricsPoolPort } from '../../../src/metrics/metrics.service';
import { PrimaryMetrics, renderPoolMetrics } from '../../../src/cluster/pool-metrics';

/** A worker's MetricsService as a pool worker builds it (labelled process metrics). */
function worker(label: string): MetricsService {
  const port: MetricsPoolPort = { workerLabel: label, scrape: () => Promise.resolve('') };
  return new MetricsService(port);
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('renderPoolMetrics (prom-client aggregation over real registries)', () => {
  it('sums counters and histograms, keeps process metrics per worker, counts reloads once', async () => {
    const [one, two] = [worker('1'), worker('2')];
    for (let i = 0; i < 3; i++) one.observeRequest('POST', '/predict', 200, 0.002);
    for (let i = 0; i < 5; i++) two.observeRequest('POST', '/predict', 200, 0.02);
    one.observePrediction('anomaly-detector', true, 0.7);
    two.observePrediction('anomaly-detector', false, 0.4);
    two.observePrediction('anomaly-detector', false, 0.41);
    const model = { version: 1, modelVersion: 'v1', sha256: 'abc', sourceFormat: 'native' };
    one.setModel('anomaly-detector', [model], true);
    two.setModel('anomaly-detector', [model], true);
    // Workers installing a load never count it: the primary does.
    one.recordReload('success', 'api', 'anomaly-detector');
    two.recordReload('success', 'api', 'anomaly-detector');
    const primary = new PrimaryMetrics(2);
    primary.recordReload('success', 'api', 'anomaly-detector');
    primary.setServing(2);

    const text = await renderPoolMetrics(
      [await one.registry.getMetricsAsJSON(), await two.registry.getMetricsAsJSON()],
      primary.registry,
    );
    const count =
      'http_request_duration_seconds_count{method="POST",route="/predict",status_code="200"}';
    expect(sample(text, count)).toBe(8);
    const bucket = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('http_request_duration_seconds_bucket{') &&
          l.includes('route="/predict"') &&
          l.includes('le="0.005"'),
      );
    expect(bucket?.split(' ')[1]).toBe('3');
    expect(sample(text, 'predictions_total{model="anomaly-detector",outcome="anomaly"}')).toBe(1);
    expect(sample(text, 'predictions_total{model="anomaly-detector",outcome="normal"}')).toBe(2);
    expect(sample(text, 'anomaly_score_count{model="anomaly-detector"}')).toBe(3);
    expect(sample(text, 'model_loaded{model="anomaly-detector"}')).toBe(1);
    expect(
      sample(
        text,
        'model_info{model="anomaly-detector",version="1",model_version="v1",sha256="abc",source_format="native"}',
      ),
    ).toBe(1);
    expect(
      sample(text, 'model_reloads_total{model="anomaly-detector",result="success",trigger="api"}'),
    ).toBe(1);
    expect(sample(text, 'pool_workers_serving')).toBe(2);
    for (const w of ['1', '2', 'primary']) {
      expect(sample(text, `process_resident_memory_bytes{worker="${w}"}`)).toBeGreaterThan(0);
      // prom-client's own aggregator would drop this one ('omit'); per worker it is kept.
      expect(sample(text, `process_start_time_seconds{worker="${w}"}`)).toBeGreaterThan(0);
    }
  });

  it('model_loaded is 0 while any worker has no model', async () => {
    const [one, two] = [worker('1'), worker('2')];
    one.setModel(
      'anomaly-detector',
      [{ version: 1, modelVersion: 'v1', sha256: 'abc', sourceFormat: 'native' }],
      true,
    );
    // A worker whose load failed publishes the model as not serving.
    two.setModel('anomaly-detector', [], false);
    const text = await renderPoolMetrics(
      [await one.registry.getMetricsAsJSON(), await two.registry.getMetricsAsJSON()],
      new PrimaryMetrics(2).registry,
    );
    expect(sample(text, 'model_loaded{model="anomaly-detector"}')).toBe(0);
  });
});
