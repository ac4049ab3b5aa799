import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { InfrastructureRoute } from '../auth/skip-api-key.decorator';
import { contextOf } from '../http/request-context';
import { binaryPayloadOf } from './oip-body.middleware';
import { ApiOipErrors } from './api-oip-errors.decorator';
import {
  OipInferenceRequestDto,
  OipInferenceResponseDto,
  OipModelMetadataDto,
  OipModelReadyDto,
  OipServerLiveDto,
  OipServerMetadataDto,
  OipServerReadyDto,
} from './oip.dto';
import { INFER_EXAMPLES, SERVER_VERSION } from './oip.constants';
import { OipService } from './oip.service';

const NAME = ApiParam({ name: 'name', example: 'anomaly-detector', description: 'Model name' });
const VERSION = ApiParam({
  name: 'version',
  example: '1',
  description: 'Repository version (a positive integer); the highest one when omitted',
});

/**
 * The Open Inference Protocol (v2) REST endpoints, paths and fields as the specification names
 * them. Thin: every route delegates to {@link OipService}. Errors are `{"error": "..."}` (the
 * exception filter's `/v2` dialect).
 */
@ApiTags('open inference protocol (v2)')
@Controller('v2')
export class OipController {
  constructor(private readonly oip: OipService) {}

  /** Server metadata. */
  @Get()
  @InfrastructureRoute()
  @ApiOperation({ operationId: 'oipServerMetadata', summary: 'Server metadata' })
  @ApiOkResponse({ type: OipServerMetadataDto })
  serverMetadata(): OipServerMetadataDto {
    return this.oip.serverMetadata(SERVER_VERSION);
  }

  /** Server liveness: true whenever the process serves HTTP. */
  @Get('health/live')
  @InfrastructureRoute()
  @ApiOperation({ operationId: 'oipServerLive', summary: 'Server live' })
  @ApiOkResponse({ type: OipServerLiveDto })
  live(): OipServerLiveDto {
    return { live: true };
  }

  /** Server readiness: every model in the repository is loaded (503 otherwise). */
  @Get('health/ready')
  @InfrastructureRoute()
  @ApiOperation({
    operationId: 'oipServerReady',
    summary: 'Server ready: every model in the repository is loaded',
    description:
      'Models unloaded through the repository extension do not count. 503 with `{"ready": false}` while not ready or shutting down.',
  })
  @ApiOkResponse({ type: OipServerReadyDto })
  @ApiResponse({ status: 503, type: OipServerReadyDto, description: 'Not ready' })
  ready(@Res({ passthrough: true }) res: Response): OipServerReadyDto {
    const ready = this.oip.isServerReady();
    if (!ready) res.status(503);
    return { ready };
  }

  /** Model metadata (highest version). */
  @Get('models/:name')
  @ApiSecurity('api-key')
  @NAME
  @ApiOperation({ operationId: 'oipModelMetadata', summary: 'Model metadata' })
  @ApiOkResponse({ type: OipModelMetadataDto })
  @ApiOipErrors(401, 404, 503)
  modelMetadata(@Param('name') name: string): OipModelMetadataDto {
    return this.oip.modelMetadata(name, undefined);
  }

  /** Model metadata of one version. */
  @Get('models/:name/versions/:version')
  @NAME
  @VERSION
  @ApiSecurity('api-key')
  @ApiOperation({ operationId: 'oipModelVersionMetadata', summary: 'Model version metadata' })
  @ApiOkResponse({ type: OipModelMetadataDto })
  @ApiOipErrors(401, 404, 503)
  modelVersionMetadata(
    @Param('name') name: string,
    @Param('version') version: string,
  ): OipModelMetadataDto {
    return this.oip.modelMetadata(name, version);
  }

  /** Model readiness (highest version): 200 ready, 503 not ready, 404 unknown. */
  @Get('models/:name/ready')
  @NAME
  @ApiSecurity('api-key')
  @ApiOperation({ operationId: 'oipModelReady', summary: 'Model ready' })
  @ApiOkResponse({ type: OipModelReadyDto })
  @ApiResponse({ status: 503, type: OipModelReadyDto, description: 'Not ready' })
  @ApiOipErrors(401, 404)
  modelReady(
    @Param('name') name: string,
    @Res({ passthrough: true }) res: Response,
  ): OipModelReadyDto {
    return withReadyStatus(this.oip.modelReady(name, undefined), res);
  }

  /** Readiness of one model version. */
  @Get('models/:name/versions/:version/ready')
  @NAME
  @VERSION
  @ApiSecurity('api-key')
  @ApiOperation({ operationId: 'oipModelVersionReady', summary: 'Model version ready' })
  @ApiOkResponse({ type: OipModelReadyDto })
  @ApiResponse({ status: 503, type: OipModelReadyDto, description: 'Not ready' })
  @ApiOipErrors(401, 404)
  modelVersionReady(
    @Param('name') name: string,
    @Param('version') version: string,
    @Res({ passthrough: true }) res: Response,
  ): OipModelReadyDto {
    return withReadyStatus(this.oip.modelReady(name, version), res);
  }

  /** Inference with the highest version. The service writes the JSON text itself. */
  @Post('models/:name/infer')
  @HttpCode(200)
  @Header('Content-Type', 'application/json; charset=utf-8')
  @NAME
  @ApiSecurity('api-key')
  @ApiOperation({
    operationId: 'oipInfer',
    summary: 'Inference',
    description:
      'One input tensor (any name), FP64/FP32/integer, shape [N, F] or [F], data flat or nested (or binary tensor data). Outputs: predict (INT64), score_samples, decision_function, anomaly_score (FP64), each [N]; `outputs` selects and orders them.',
  })
  @ApiBody({ type: OipInferenceRequestDto, examples: INFER_EXAMPLES })
  @ApiOkResponse({ type: OipInferenceResponseDto })
  @ApiOipErrors(400, 401, 404, 413, 415, 429, 503)
  infer(@Param('name') name: string, @Body() body: unknown, @Req() req: Request): Promise<string> {
    return this.oip.infer(name, undefined, body, binaryPayloadOf(req), contextOf(req));
  }

  /** Inference with one version. The service writes the JSON text itself. */
  @Post('models/:name/versions/:version/infer')
  @HttpCode(200)
  @Header('Content-Type', 'application/json; charset=utf-8')
  @NAME
  @VERSION
  @ApiSecurity('api-key')
  @ApiOperation({ operationId: 'oipInferVersion', summary: 'Inference with one model version' })
  @ApiBody({ type: OipInferenceRequestDto, examples: INFER_EXAMPLES })
  @ApiOkResponse({ type: OipInferenceResponseDto })
  @ApiOipErrors(400, 401, 404, 413, 415, 429, 503)
  inferVersion(
    @Param('name') name: string,
    @Param('version') version: string,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<string> {
    return this.oip.infer(name, version, body, binaryPayloadOf(req), contextOf(req));
  }
}

/** 503 for a model that is not ready (the spec's clients read the status). */
function withReadyStatus(ready: OipModelReadyDto, res: Response): OipModelReadyDto {
  if (!ready.ready) res.status(503);
  return ready;
}
