import { Body, Controller, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiProblemResponses } from '../openapi';
import { DtoValidationPipe } from '../validation';
import { contextOf } from '../http/request-context';
import { ModelInfoDto } from '../model/dto/model-info.dto';
import { ModelAdminService } from '../model/model-admin.service';
import { PredictBatchRequestDto, SEED_BATCH_EXAMPLE } from './dto/predict-batch-request.dto';
import { PredictRequestDto } from './dto/predict-request.dto';
import { PredictBatchResponseDto, PredictResponseDto } from './dto/predict-response.dto';
import { PredictService } from './predict.service';

const NAME = ApiParam({
  name: 'name',
  example: 'anomaly-detector',
  description:
    'Model name (MODEL_NAME, or a folder of MODEL_REPOSITORY); its highest version answers',
});

/**
 * The domain API for any model by name: `/models/{name}/predict`, `/models/{name}/predict/batch`
 * and `GET /models/{name}`, the same bodies and answers as `/predict`, `/predict/batch` and
 * `GET /model` (which serve `MODEL_NAME`).
 */
@ApiTags('predict')
@ApiSecurity('api-key')
@Controller('models/:name')
export class NamedModelController {
  constructor(
    private readonly predictions: PredictService,
    private readonly models: ModelAdminService,
  ) {}

  /** Metadata of the model's highest version. */
  @Get()
  @NAME
  @ApiOperation({ operationId: 'getNamedModel', summary: 'Metadata of a model by name' })
  @ApiOkResponse({ type: ModelInfoDto })
  @ApiProblemResponses(401, 404, 429, 500, 503)
  info(@Param('name') name: string): ModelInfoDto {
    return this.models.info(name);
  }

  /** Scores one row with the model. */
  @Post('predict')
  @HttpCode(200)
  @NAME
  @ApiOperation({
    operationId: 'predictNamed',
    summary: 'Score one row with a model by name',
    description: 'The body and the answer of POST /predict.',
  })
  @ApiBody({
    type: PredictRequestDto,
    examples: { anomaly: { summary: 'An anomalous row', value: { data: [-5.5, 5.2] } } },
  })
  @ApiOkResponse({ type: PredictResponseDto })
  @ApiProblemResponses(400, 401, 404, 413, 415, 429, 500, 503)
  predict(
    @Param('name') name: string,
    @Body(DtoValidationPipe) body: PredictRequestDto,
    @Req() req: Request,
  ): PredictResponseDto {
    return this.predictions.predictOne(body, contextOf(req), name);
  }

  /** Scores many rows with the model. */
  @Post('predict/batch')
  @HttpCode(200)
  @Header('Content-Type', 'application/json; charset=utf-8')
  @NAME
  @ApiOperation({
    operationId: 'predictBatchNamed',
    summary: 'Score many rows with a model by name',
    description: 'The body and the answer of POST /predict/batch.',
  })
  @ApiBody({
    type: PredictBatchRequestDto,
    examples: {
      seed: SEED_BATCH_EXAMPLE,
    },
  })
  @ApiOkResponse({ type: PredictBatchResponseDto })
  @ApiProblemResponses(400, 401, 404, 413, 415, 429, 500, 503)
  predictBatch(
    @Param('name') name: string,
    @Body(DtoValidationPipe) body: PredictBatchRequestDto,
    @Req() req: Request,
  ): Promise<string> {
    return this.predictions.predictBatch(body, contextOf(req), name);
  }
}
