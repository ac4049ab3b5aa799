import { ConfigService } from '@nestjs/config';
import pino from 'pino';
import { decodeArtifact } from '../../../src/artifact';
import { loadConfig, type AppConfig } from '../../../src/config';
import { RequestValidationError } from '../../../src/errors';
import { validateDto } from '../../../src/validation';
import { matrixFromRows, scoreSamples } from '../../../src/engine';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { ModelLoader } from '../../../src/model/model-loader';
import { ModelRegistry } from '../../../src/model/model-registry';
import { toServingModel } from '../../../src/model/serving-model';
import { SCORE_CHUNK_ROWS as BATCH_CHUNK_ROWS } from '../../../src/scoring/scoring.constants';
import { ScoringService } from '../../../src/scoring/scoring.service';
import { PredictBatchRequestDto } from '../../../src/predict/dto/predict-batch-request.dto';
import { PredictRequestDto } from '../../../src/predict/dto/predict-request.dto';
import type { PredictBatchResponseDto } from '../../../src/predict/dto/predict-response.dto';
import { featureRow } from '../../../src/predict/feature-row';
import { PredictService } from '../../../src/predict/predict.service';
import { clusteredRows, trainArtifact } from '../../helpers/model-files';
import { TempModelDir } from '../../helpers/temp-model-dir';
import { ExplainService } from '../../../src/explain/explain.service';

const dir = new TempModelDir();
afterAll(() => dir.remove());

async function predictService(env: Record<string, string> = {}): Promise<PredictService> {
  const path = dir.write('model.json', trainArtifact({ seed: 4 }));
  const config = new ConfigService<AppConfig, true>({
    ...loadConfig({ MODEL_PATH: path, ...env }),
  });
  const metrics = new MetricsService();
  const log = pino({ level: 'silent' });
  const models = new ModelRegistry(new ModelLoader(config), config, metrics, log);
  await models.loadAll('startup');
  const scoring = new ScoringService(models, metrics, log);
  const explain = new ExplainService(scoring, config);
  explain.onModuleInit();
  return new PredictService(scoring, explain, config);
}

function rowsOf(n: number): number[][] {
  const x = clusteredRows(n, 2, 9);
  return Array.from({ length: n }, (_, i) => [x.data[2 * i], x.data[2 * i + 1]]);
}

describe('PredictService', () => {
  it('scores with sklearn semantics and records the model version on the request', async () => {
    const service = await predictService();
    const ctx: { id: string; modelVersion?: string } = { id: 'r' };
    const out = service.predictOne(validateDto(PredictRequestDto, { data: [2.1, 2.1] }), ctx);
    const artifact = decodeArtifact(trainArtifact({ seed: 4 }));
    const [score] = scoreSamples(artifact.forest, matrixFromRows([[2.1, 2.1]]));
    expect(out).toEqual({
      prediction_score: score - artifact.offset < 0 ? -1 : 1,
      is_anomaly: score - artifact.offset < 0,
      anomaly_score: -score,
      decision_function: score - artifact.offset,
      threshold: -artifact.offset,
      model_version: artifact.modelVersion,
    });
    expect(ctx.modelVersion).toBe(artifact.modelVersion);
  });

  it('yields to the event loop between chunks of a large batch', async () => {
    const service = await predictService();
    const rows = rowsOf(BATCH_CHUNK_ROWS * 3);
    let ranMeanwhile = false;
    const pending = service.predictBatch(validateDto(PredictBatchRequestDto, { data: rows }), {
      id: 'r',
    });
    setImmediate(() => (ranMeanwhile = true));
    const out = JSON.parse(await pending) as PredictBatchResponseDto;
    expect(ranMeanwhile).toBe(true);
    expect(out.predictions).toHaveLength(rows.length);
  });

  it('does not yield for a batch that fits in one chunk', async () => {
    const service = await predictService();
    let ranMeanwhile = false;
    const pending = service.predictBatch(
      validateDto(PredictBatchRequestDto, { data: rowsOf(10) }),
      { id: 'r' },
    );
    setImmediate(() => (ranMeanwhile = true));
    await pending;
    expect(ranMeanwhile).toBe(false);
  });

  it('answers each row of a multi-chunk batch as predictOne answers it, in input order', async () => {
    const service = await predictService();
    const rows = rowsOf(BATCH_CHUNK_ROWS + 37);
    rows[5] = [-5.5, 5.2];
    rows[BATCH_CHUNK_ROWS + 3] = [40, -40];
    const out = JSON.parse(
      await service.predictBatch(validateDto(PredictBatchRequestDto, { data: rows }), { id: 'r' }),
    ) as PredictBatchResponseDto;
    const artifact = decodeArtifact(trainArtifact({ seed: 4 }));
    expect(out.model_version).toBe(artifact.modelVersion);
    expect(out.predictions).toHaveLength(rows.length);
    const anomalies = out.predictions.filter((p) => p.is_anomaly).length;
    expect(anomalies).toBeGreaterThan(1);
    expect(anomalies).toBeLessThan(rows.length);
    rows.forEach((row, i) => {
      const one = service.predictOne(validateDto(PredictRequestDto, { data: row }), { id: 'r' });
      expect(out.predictions[i]).toEqual({
        prediction_score: one.prediction_score,
        is_anomaly: one.is_anomaly,
        anomaly_score: one.anomaly_score,
        decision_function: one.decision_function,
      });
    });
  });

  it('enforces MAX_BATCH_ROWS and the model width', async () => {
    const service = await predictService({ MAX_BATCH_ROWS: '5' });
    await expect(
      service.predictBatch(validateDto(PredictBatchRequestDto, { data: rowsOf(6) }), { id: 'r' }),
    ).rejects.toThrow('data: must contain at most 5 rows (MAX_BATCH_ROWS), got 6');
    await expect(
      service.predictBatch(validateDto(PredictBatchRequestDto, { data: [[1, 2, 3]] }), { id: 'r' }),
    ).rejects.toThrow('data[0]: must contain exactly 2 values (cpu_usage, memory_load), got 3');
  });
});

describe('featureRow', () => {
  const model = toServingModel(
    decodeArtifact(trainArtifact({ seed: 4 })),
    { name: 'm', version: 1 },
    new Date(),
  );

  it('orders named features by the model columns', () => {
    expect(Array.from(featureRow({ features: { memory_load: 2, cpu_usage: 1 } }, model))).toEqual([
      1, 2,
    ]);
  });

  it('reports every unknown and missing name at once', () => {
    try {
      featureRow({ features: { cpu: 1, memory: 2 } }, model);
      throw new Error('expected an error');
    } catch (err) {
      expect(err).toBeInstanceOf(RequestValidationError);
      expect((err as RequestValidationError).errors.map((e) => e.field)).toEqual([
        'features.cpu',
        'features.memory',
        'features.cpu_usage',
        'features.memory_load',
      ]);
    }
  });

  it('refuses features for a model without names', () => {
    const unnamed = toServingModel(
      { ...model.artifact, featureNames: null },
      { name: 'm', version: 1 },
      new Date(),
    );
    expect(() => featureRow({ features: { a: 1, b: 2 } }, unnamed)).toThrow(/no feature names/);
    expect(Array.from(featureRow({ data: [1, 2] }, unnamed))).toEqual([1, 2]);
  });
});
