import { ConfigService } from '@nestjs/config';
import pino from 'pino';
import { loadConfig, type AppConfig } from '../../../src/config';
import { validateDto } from '../../../src/validation';
import { matrixFromRows, scoreSamples, type DenseMatrix } from '../../../src/engine';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { ModelLoader } from '../../../src/model/model-loader';
import { ModelRegistry } from '../../../src/model/model-registry';
import type { ServingModel } from '../../../src/model/serving-model';
import { PredictBatchRequestDto } from '../../../src/predict/dto/predict-batch-request.dto';
import { PredictRequestDto } from '../../../src/predict/dto/predict-request.dto';
import { ExplainService } from '../../../src/explain/explain.service';
import { PredictService } from '../../../src/predict/predict.service';
import type { ExtraOutput } from '../../../src/scoring/extra-output';
import { decisionAt, predictionAt, type ScoredRows } from '../../../src/scoring/scored-rows';
import { SCORE_CHUNK_ROWS } from '../../../src/scoring/scoring.constants';
import { ScoringService } from '../../../src/scoring/scoring.service';
import { clusteredRows, trainArtifact } from '../../helpers/model-files';
import { TempModelDir } from '../../helpers/temp-model-dir';

const dir = new TempModelDir();
afterAll(() => dir.remove());

interface Setup {
  readonly scoring: ScoringService;
  readonly predict: PredictService;
  readonly metrics: MetricsService;
  readonly model: ServingModel;
}

async function setup(): Promise<Setup> {
  const path = dir.write('model.json', trainArtifact({ seed: 4, modelVersion: 'seed-4' }));
  const config = new ConfigService<AppConfig, true>({ ...loadConfig({ MODEL_PATH: path }) });
  const metrics = new MetricsService();
  const log = pino({ level: 'silent' });
  const registry = new ModelRegistry(new ModelLoader(config), config, metrics, log);
  await registry.loadAll('startup');
  const scoring = new ScoringService(registry, metrics, log);
  const explain = new ExplainService(scoring, config);
  return {
    scoring,
    predict: new PredictService(scoring, explain, config),
    metrics,
    model: scoring.model(),
  };
}

function matrix(n: number): DenseMatrix {
  return clusteredRows(n, 2, 11);
}

/** A real extra output: the row's first feature plus its score (width 1), or every feature (width F). */
const firstPlusScore: ExtraOutput = {
  name: 'first_plus_score',
  always: true,
  width: () => 1,
  compute: (_model, x, scores, out) => {
    for (let i = 0; i < x.rows; i++) out[i] = x.data[i * x.cols] + scores[i];
  },
};
const echo: ExtraOutput = {
  name: 'echo',
  always: false,
  width: (model) => model.artifact.nFeatures,
  compute: (_model, x, _scores, out) => out.set(x.data),
};

describe('ScoringService', () => {
  it('scores with the engine and derives decision and prediction from the offset', async () => {
    const { scoring, model } = await setup();
    const x = matrix(50);
    const scored = await scoring.scoreRows(model, x, { source: 'test' });
    const expected = scoreSamples(model.artifact.forest, x);
    expect(Array.from(scored.scores)).toEqual(Array.from(expected));
    for (let i = 0; i < 50; i++) {
      expect(decisionAt(scored, i)).toBe(expected[i] - model.artifact.offset);
      expect(predictionAt(scored, i)).toBe(expected[i] - model.artifact.offset < 0 ? -1 : 1);
    }
    const one = scoring.scoreOne(model, [x.data[0], x.data[1]], { source: 'test' });
    expect(one.scores[0]).toBe(expected[0]);
    expect(one.x).toEqual({ data: Float64Array.of(x.data[0], x.data[1]), rows: 1, cols: 2 });
  });

  it('shows every scored row to every observer, once per call, with the model', async () => {
    const { scoring, model } = await setup();
    const seen: { model: string; version: number; source: string; rows: number }[] = [];
    scoring.addObserver({
      observe: (s: ScoredRows) =>
        seen.push({
          model: s.model.name,
          version: s.model.version,
          source: s.source,
          rows: s.x.rows,
        }),
    });
    scoring.scoreOne(model, [2.1, 2.1], { source: 'predict' });
    await scoring.scoreRows(model, matrix(SCORE_CHUNK_ROWS + 5), { source: 'oip' });
    expect(seen).toEqual([
      { model: 'anomaly-detector', version: 1, source: 'predict', rows: 1 },
      { model: 'anomaly-detector', version: 1, source: 'oip', rows: SCORE_CHUNK_ROWS + 5 },
    ]);
  });

  it('answers even when an observer throws', async () => {
    const { scoring, model } = await setup();
    scoring.addObserver({
      observe: () => {
        throw new Error('observer bug');
      },
    });
    expect(scoring.scoreOne(model, [2.1, 2.1], { source: 'predict' }).scores[0]).toBeLessThan(0);
  });

  it('computes always-on extras on every call and requested ones only when asked, chunk by chunk', async () => {
    const { scoring, model } = await setup();
    scoring.addOutput(firstPlusScore);
    scoring.addOutput(echo);
    expect(scoring.outputs().map((o) => o.name)).toEqual(['first_plus_score', 'echo']);
    const x = matrix(SCORE_CHUNK_ROWS * 2 + 3);
    const plain = await scoring.scoreRows(model, x, { source: 'test' });
    expect([...plain.extras.keys()]).toEqual(['first_plus_score']);
    const both = await scoring.scoreRows(model, x, { source: 'test', extras: ['echo'] });
    const first = both.extras.get('first_plus_score')!;
    const echoed = both.extras.get('echo')!;
    expect(first.width).toBe(1);
    expect(echoed).toEqual({ width: 2, values: x.data });
    for (let i = 0; i < x.rows; i++) {
      expect(first.values[i]).toBe(x.data[2 * i] + both.scores[i]);
    }
    expect(() => scoring.addOutput(echo)).toThrow(/already registered/);
    await expect(scoring.scoreRows(model, x, { source: 'test', extras: ['nope'] })).rejects.toThrow(
      /no extra output named nope/,
    );
  });

  it('feeds the prediction metrics as an observer', async () => {
    const { scoring, metrics, model } = await setup();
    await scoring.scoreRows(
      model,
      matrixFromRows([
        [-5.5, 5.2],
        [2.1, 2.1],
      ]),
      {
        source: 'predict-batch',
      },
    );
    scoring.scoreOne(model, [2.1, 2.1], { source: 'predict' });
    const text = await metrics.render();
    expect(text).toMatch(/^predictions_total\{model="anomaly-detector",outcome="anomaly"\} 1$/m);
    expect(text).toMatch(/^predictions_total\{model="anomaly-detector",outcome="normal"\} 2$/m);
    expect(text).toMatch(/^predict_batch_rows_count 1$/m);
    expect(text).toMatch(/^anomaly_score_count\{model="anomaly-detector"\} 3$/m);
  });
});

describe('PredictService with extra outputs', () => {
  it('adds each extra to /predict and to every /predict/batch row under its name', async () => {
    const { scoring, predict, model } = await setup();
    scoring.addOutput(firstPlusScore);
    const one = predict.predictOne(validateDto(PredictRequestDto, { data: [2.1, 2.1] }), {
      id: 'r',
    }) as unknown as Record<string, number>;
    expect(one.first_plus_score).toBe(2.1 - one.anomaly_score);
    const rows = Array.from({ length: SCORE_CHUNK_ROWS + 2 }, (_, i) => [i / 100, -i / 100]);
    const batch = JSON.parse(
      await predict.predictBatch(validateDto(PredictBatchRequestDto, { data: rows }), { id: 'r' }),
    ) as { model_version: string; predictions: Record<string, number>[] };
    expect(batch.model_version).toBe(model.modelVersion);
    batch.predictions.forEach((p, i) => {
      expect(p.first_plus_score).toBe(rows[i][0] - p.anomaly_score);
      expect(Object.keys(p)).toEqual([
        'prediction_score',
        'is_anomaly',
        'anomaly_score',
        'decision_function',
        'first_plus_score',
      ]);
    });
  });
});
