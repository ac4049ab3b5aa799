import { Body, Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../common/swagger';
import { DtoValidationPipe } from '../common/validation';
import type { Request } from 'express';
import { contextOf } from '../http/request-context';
import { PredictBatchRequestDto } from './dto/predict-batch-request.dto';
import { PredictRequestDto } from './dto/predict-request.dto';
import { PredictBatchResponseDto, PredictResponseDto } from './dto/predict-response.dto';
import { PredictService } from './predict.service';

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
      "Send either `data` (values in the model's column order) or `features` (keyed by feature name).",
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
    },
  })
  @ApiOkResponse({ type: PredictResponseDto })
  @ApiProblemResponses(400, 401, 413, 415, 429, 500, 503)
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
      'Predictions come back in input order. At most MAX_BATCH_ROWS rows (default 10000).',
  })
  @ApiBody({
    type: PredictBatchRequestDto,
    examples: {
      seed: {
        summary: "The seed's two rows",
        value: {
          data: [
            [-5.5, 5.2],
            [2.1, 2.1],
          ],
        },
      },
    },
  })
  @ApiOkResponse({ type: PredictBatchResponseDto })
  @ApiProblemResponses(400, 401, 413, 415, 429, 500, 503)
  predictBatch(
    @Body(DtoValidationPipe) body: PredictBatchRequestDto,
    @Req() req: Request,
  ): Promise<string> {
    return this.predictions.predictBatch(body, contextOf(req));
  }
}
