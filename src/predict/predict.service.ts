import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config';
import { RequestValidationError } from '../common/errors';
import { matrixFromRows } from '../engine';
import type { RequestContext } from '../http/request-context';
import { decisionAt, predictionAt, type ScoredRows } from '../scoring/scored-rows';
import { ScoringService } from '../scoring/scoring.service';
import type { PredictBatchRequestDto } from './dto/predict-batch-request.dto';
import type { PredictRequestDto } from './dto/predict-request.dto';
import type { PredictResponseDto } from './dto/predict-response.dto';
import { BATCH_JSON_TAIL, batchJsonHead, predictionsJson, type ExtraJson } from './batch-json';
import { featureRow } from './feature-row';

/**
 * The domain API's predictions, a thin adapter over {@link ScoringService}: it checks the body
 * against the model and formats the scores with scikit-learn's semantics:
 * `anomaly_score = -score_samples`, `decision_function = score_samples - offset`,
 * `prediction_score = decision_function < 0 ? -1 : 1`, `threshold = -offset`. Every extra output
 * the scoring service computed is added to each row under its name.
 */
@Injectable()
export class PredictService {
  private readonly maxBatchRows: number;

  constructor(
    private readonly scoring: ScoringService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.maxBatchRows = config.get('model', { infer: true }).maxBatchRows;
  }

  /** Scores one row with the highest version of model `name` (the default model when omitted). */
  predictOne(body: PredictRequestDto, ctx: RequestContext, name?: string): PredictResponseDto {
    const model = this.scoring.model(name);
    ctx.modelVersion = model.modelVersion;
    const scored = this.scoring.scoreOne(model, featureRow(body, model), { source: 'predict' });
    const decision = decisionAt(scored, 0);
    const response: PredictResponseDto = {
      prediction_score: predictionAt(scored, 0),
      is_anomaly: decision < 0,
      anomaly_score: -scored.scores[0],
      decision_function: decision,
      threshold: model.threshold,
      model_version: model.modelVersion,
    };
    for (const [field, { width, values }] of scored.extras) {
      (response as unknown as Record<string, unknown>)[field] =
        width === 1 ? values[0] : Array.from(values);
    }
    return response;
  }

  /**
   * Scores rows in input order with the highest version of model `name` (the default model when
   * omitted) and returns the response's JSON text (a `PredictBatchResponseDto`), written chunk
   * by chunk as the scoring service scores them. The model taken at the start scores every row,
   * even if a reload lands.
   */
  async predictBatch(
    body: PredictBatchRequestDto,
    ctx: RequestContext,
    name?: string,
  ): Promise<string> {
    const rows = body.data.length;
    if (rows > this.maxBatchRows) {
      throw RequestValidationError.of(
        'data',
        `must contain at most ${this.maxBatchRows} rows (MAX_BATCH_ROWS), got ${rows}`,
      );
    }
    const model = this.scoring.model(name);
    ctx.modelVersion = model.modelVersion;
    const { offset, nFeatures } = model.artifact;
    if (body.data[0].length !== nFeatures) {
      throw RequestValidationError.of(
        'data[0]',
        `must contain exactly ${model.expectedInput}, got ${body.data[0].length}`,
      );
    }
    let json = batchJsonHead(model.modelVersion);
    await this.scoring.scoreRows(model, matrixFromRows(body.data), {
      source: 'predict-batch',
      onChunk: (scored, start, end) => {
        json +=
          (start > 0 ? ',' : '') +
          predictionsJson(scored.scores.subarray(start, end), offset, extrasOf(scored, start, end));
      },
    });
    return json + BATCH_JSON_TAIL;
  }
}

function extrasOf(scored: ScoredRows, start: number, end: number): ExtraJson[] {
  const extras: ExtraJson[] = [];
  for (const [name, { width, values }] of scored.extras) {
    extras.push({ name, width, values: values.subarray(start * width, end * width) });
  }
  return extras;
}
