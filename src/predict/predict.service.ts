import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config';
import { RequestValidationError } from '../errors';
import type { RequestContext } from '../http/request-context';
import { EXPLAIN_CHUNK_ROWS, ExplainService } from '../explain/explain.service';
import { decisionAt, predictionAt, type ScoredRows } from '../scoring/scored-rows';
import { ScoringService } from '../scoring/scoring.service';
import type { PredictBatchRequestDto } from './dto/predict-batch-request.dto';
import type { PredictRequestDto } from './dto/predict-request.dto';
import type { PredictResponseDto } from './dto/predict-response.dto';
import { BATCH_JSON_TAIL, batchJsonHead, predictionsJson, type ExtraJson } from './batch-json';
import { featureMatrix, featureRow } from './feature-row';

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
    private readonly explain: ExplainService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.maxBatchRows = config.get('model', { infer: true }).maxBatchRows;
  }

  /**
   * Scores one row with the highest version of model `name` (the default model when omitted),
   * with its `explanation` when `body.explain` is true.
   */
  predictOne(body: PredictRequestDto, ctx: RequestContext, name?: string): PredictResponseDto {
    const model = this.scoring.model(name);
    ctx.modelName = model.name;
    ctx.modelVersion = model.modelVersion;
    const explain = body.explain === true;
    if (explain) this.explain.assertExplainable(model);
    const scored = this.scoring.scoreOne(model, featureRow(body, model), {
      source: 'predict',
      ...(explain ? { extras: this.explain.extras } : {}),
    });
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
      if (this.explain.owns(field)) continue;
      (response as unknown as Record<string, unknown>)[field] =
        width === 1 ? values[0] : Array.from(values);
    }
    if (explain) response.explanation = this.explain.explanationAt(scored, 0);
    return response;
  }

  /**
   * Scores rows in input order with the highest version of model `name` (the default model when
   * omitted) and returns the response's JSON text (a `PredictBatchResponseDto`), written chunk
   * by chunk as the scoring service scores them. The model taken at the start scores every row,
   * even if a reload lands. With `body.explain`, every prediction carries its `explanation`; such
   * batches have their own row limit (`MAX_EXPLAIN_ROWS`) and are explained a few rows at a
   * time between yields to the event loop.
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
    const explain = body.explain === true;
    if (explain && rows > this.explain.maxRows) {
      throw RequestValidationError.of(
        'data',
        `must contain at most ${this.explain.maxRows} rows when explain is true (MAX_EXPLAIN_ROWS), got ${rows}`,
      );
    }
    const model = this.scoring.model(name);
    ctx.modelName = model.name;
    ctx.modelVersion = model.modelVersion;
    const { offset, nFeatures } = model.artifact;
    if (body.data[0].length !== nFeatures) {
      throw RequestValidationError.of(
        'data[0]',
        `must contain exactly ${model.expectedInput}, got ${body.data[0].length}`,
      );
    }
    if (explain) this.explain.assertExplainable(model);
    let json = batchJsonHead(model.modelVersion);
    await this.scoring.scoreRows(model, featureMatrix(body.data, model), {
      source: 'predict-batch',
      ...(explain ? { extras: this.explain.extras, chunkRows: EXPLAIN_CHUNK_ROWS } : {}),
      onChunk: (scored, start, end) => {
        json +=
          (start > 0 ? ',' : '') +
          predictionsJson(
            scored.scores.subarray(start, end),
            offset,
            this.extrasOf(scored, start, end),
            explain ? this.explanationsJson(scored, start, end) : undefined,
          );
      },
    });
    return json + BATCH_JSON_TAIL;
  }

  /** The extra outputs of rows `start` to `end`, except those shown inside `explanation`. */
  private extrasOf(scored: ScoredRows, start: number, end: number): ExtraJson[] {
    const extras: ExtraJson[] = [];
    for (const [name, { width, values }] of scored.extras) {
      if (this.explain.owns(name)) continue;
      extras.push({ name, width, values: values.subarray(start * width, end * width) });
    }
    return extras;
  }

  private explanationsJson(scored: ScoredRows, start: number, end: number): string[] {
    const texts: string[] = [];
    for (let i = start; i < end; i++) {
      texts.push(JSON.stringify(this.explain.explanationAt(scored, i)));
    }
    return texts;
  }
}
