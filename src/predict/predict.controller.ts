import { Body, Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../openapi';
import { DtoValidationPipe } from '../validation';
import type { Request } from 'express';
import { contextOf } from '../http/request-context';
import { PredictBatchRequestDto, SEED_BATCH_EXAMPLE } from './dto/predict-batch-request.dto';
import { PredictRequestDto } from './dto/predict-request.dto';
import { PredictBatchResponseDto, PredictResponseDto } from './dto/predict-response.dto';
import { PredictService } from './predict.service';

/** The default model's answer to `{"data": [-5.5, 5.2]}` (real output, for the Swagger examples). */
const PREDICTION_EXAMPLE = {
  prediction_score: -1,
  is_anomaly: true,
  anomaly_score: 0.7851608520150554,
  decision_function: -0.28516085201505537,
  threshold: 0.5,
  model_version: 'sha256-795ef202a31e6212',
};

/** Its `explanation` (real output of `"explain": true`). */
const EXPLANATION_EXAMPLE = {
  method: 'tree_shap',
  feature_names: ['cpu_usage', 'memory_load'],
  shap_values: [-4.789225951768881, -4.165628948762796],
  expected_value: 12.529663757537055,
  path_length: 3.574808857005379,
  log2_contributions: [0.46748004314700886, 0.4066102581739365],
  top_features: [
    {
      feature: 'cpu_usage',
      shap_value: -4.789225951768881,
      log2_contribution: 0.46748004314700886,
    },
    {
      feature: 'memory_load',
      shap_value: -4.165628948762796,
      log2_contribution: 0.4066102581739365,
    },
  ],
};

/** What 422 means on the predict routes. */
const EXPLAIN_422 = [
  422,
  '"explain": true, but the model cannot be explained: its artifact (format version 1) lacks per-node weights; the detail says how to re-export it',
] as const;

/** `POST /predict` and `POST /predict/batch`. */
@ApiTags('predict')
@ApiSecurity('api-key')
@Controller('predict')
export class PredictController {
  constructor(private readonly predictions: PredictService) {}

  /** Scores one row. */
  @Post()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'predict',
    summary: 'Score one row',
    description:
      "Send either `data` (values in the model's column order) or `features` (keyed by feature name). " +
      'Add `"explain": true` for an `explanation`: the Shapley values (shap TreeExplainer) of the mean path length per feature, ' +
      'negative = pushed the row toward anomalous; `log2_contributions` > 0 raised the anomaly score (see docs/explanations.md).',
  })
  @ApiBody({
    type: PredictRequestDto,
    examples: {
      anomaly: { summary: 'An anomalous row (prediction_score -1)', value: { data: [-5.5, 5.2] } },
      normal: { summary: 'A normal row (prediction_score 1)', value: { data: [2.1, 2.1] } },
      byName: {
        summary: 'The same kind of row keyed by feature name',
        value: { features: { cpu_usage: 2.1, memory_load: 2.1 } },
      },
      explain: {
        summary: 'Why is this row anomalous? (explain: true)',
        value: { data: [-5.5, 5.2], explain: true },
      },
    },
  })
  @ApiOkResponse({
    type: PredictResponseDto,
    examples: {
      plain: { summary: 'A prediction', value: PREDICTION_EXAMPLE },
      explained: {
        summary: 'A prediction with "explain": true (default model, [-5.5, 5.2])',
        value: { ...PREDICTION_EXAMPLE, explanation: EXPLANATION_EXAMPLE },
      },
    },
  })
  @ApiProblemResponses(400, 401, 413, 415, EXPLAIN_422, 429, 500, 503)
  predict(
    @Body(DtoValidationPipe) body: PredictRequestDto,
    @Req() req: Request,
  ): PredictResponseDto {
    return this.predictions.predictOne(body, contextOf(req));
  }

  /** Scores many rows. The service writes the JSON text itself (see `batch-json.ts`). */
  @Post('batch')
  @HttpCode(200)
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOperation({
    operationId: 'predictBatch',
    summary: 'Score many rows',
    description:
      'Predictions come back in input order. At most MAX_BATCH_ROWS rows (default 10000); with `"explain": true` ' +
      'every prediction carries its `explanation` and the batch may have at most MAX_EXPLAIN_ROWS rows (default 1000).',
  })
  @ApiBody({
    type: PredictBatchRequestDto,
    examples: {
      seed: SEED_BATCH_EXAMPLE,
      explain: {
        summary: 'The same rows, explained',
        value: { ...SEED_BATCH_EXAMPLE.value, explain: true },
      },
    },
  })
  @ApiOkResponse({ type: PredictBatchResponseDto })
  @ApiProblemResponses(400, 401, 413, 415, EXPLAIN_422, 429, 500, 503)
  predictBatch(
    @Body(DtoValidationPipe) body: PredictBatchRequestDto,
    @Req() req: Request,
  ): Promise<string> {
    return this.predictions.predictBatch(body, contextOf(req));
  }
}
