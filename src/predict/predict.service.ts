import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AppConfig } from '../config';
import { RequestValidationError } from '../common/errors';
import { scoreOne, scoreSamples } from '../engine';
import type { RequestContext } from '../http/request-context';
import { MetricsService } from '../metrics/metrics.service';
import { ModelService } from '../model/model.service';
import type { PredictBatchRequestDto } from './dto/predict-batch-request.dto';
import type { PredictRequestDto } from './dto/predict-request.dto';
import type { PredictResponseDto } from './dto/predict-response.dto';
import { BATCH_JSON_TAIL, batchJsonHead, predictionsJson } from './batch-json';
import { featureMatrix, featureRow } from './feature-row';
import { BATCH_CHUNK_ROWS } from './predict.constants';

/**
 * Scores requests with the serving model, with scikit-learn's semantics:
 * `anomaly_score = -score_samples`, `decision_function = score_samples - offset`,
 * `prediction_score = decision_function < 0 ? -1 : 1`, `threshold = -offset`.
 */
@Injectable()
export class PredictService {
  private readonly maxBatchRows: number;

  constructor(
    private readonly models: ModelService,
    private readonly metrics: MetricsService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.maxBatchRows = config.get('model', { infer: true }).maxBatchRows;
  }

  /** Scores one row. */
  predictOne(body: PredictRequestDto, ctx: RequestContext): PredictResponseDto {
    const model = this.models.current();
    ctx.modelVersion = model.version;
    const score = scoreOne(model.artifact.forest, featureRow(body, model));
    const decision = score - model.artifact.offset;
    const isAnomaly = decision < 0;
    this.metrics.observePrediction(isAnomaly, -score);
    return {
      prediction_score: isAnomaly ? -1 : 1,
      is_anomaly: isAnomaly,
      anomaly_score: -score,
      decision_function: decision,
      threshold: model.threshold,
      model_version: model.version,
    };
  }

  /**
   * Scores rows in input order, {@link BATCH_CHUNK_ROWS} at a time with a yield to the event
   * loop in between, and returns the response's JSON text (a `PredictBatchResponseDto`),
   * written chunk by chunk as the rows are scored. The model taken at the start scores every
   * row, even if a reload lands.
   */
  async predictBatch(body: PredictBatchRequestDto, ctx: RequestContext): Promise<string> {
    const rows = body.data.length;
    if (rows > this.maxBatchRows) {
      throw RequestValidationError.of(
        'data',
        `must contain at most ${this.maxBatchRows} rows (MAX_BATCH_ROWS), got ${rows}`,
      );
    }
    const model = this.models.current();
    ctx.modelVersion = model.version;
    const { forest, offset, nFeatures } = model.artifact;
    if (body.data[0].length !== nFeatures) {
      throw RequestValidationError.of(
        'data[0]',
        `must contain exactly ${model.expectedInput}, got ${body.data[0].length}`,
      );
    }
    const x = featureMatrix(body.data, model);
    const scores = new Float64Array(rows);
    let json = batchJsonHead(model.version);
    for (let start = 0; start < rows; start += BATCH_CHUNK_ROWS) {
      if (start > 0) await yieldToEventLoop();
      const end = Math.min(rows, start + BATCH_CHUNK_ROWS);
      const chunk = scores.subarray(start, end);
      scoreSamples(
        forest,
        {
          data: x.data.subarray(start * nFeatures, end * nFeatures),
          rows: end - start,
          cols: nFeatures,
        },
        chunk,
      );
      json += (start > 0 ? ',' : '') + predictionsJson(chunk, offset);
    }
    this.metrics.observeBatch(scores, offset);
    return json + BATCH_JSON_TAIL;
  }
}
