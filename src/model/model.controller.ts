import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { SkipApiKey } from '../auth/skip-api-key.decorator';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiProblemResponses } from '../openapi';
import { ModelInfoDto, ModelReloadResponseDto } from './dto/model-info.dto';
import { ModelAdminService } from './model-admin.service';

/** `GET /model` and `POST /model/reload`. */
@ApiTags('model')
@Controller('model')
export class ModelController {
  constructor(private readonly models: ModelAdminService) {}

  /** Metadata of the serving model. */
  @Get()
  @ApiSecurity('api-key')
  @ApiOperation({ operationId: 'getModel', summary: 'Metadata of the serving model' })
  @ApiOkResponse({ type: ModelInfoDto })
  @ApiProblemResponses(401, 429, 500, 503)
  info(): ModelInfoDto {
    return this.models.info();
  }

  /** Re-reads MODEL_PATH and swaps the model in when it verifies. */
  @Post('reload')
  @HttpCode(200)
  @UseGuards(AdminTokenGuard)
  @SkipApiKey()
  @SkipThrottle()
  @ApiBearerAuth('admin-token')
  @ApiOperation({
    operationId: 'reloadModel',
    summary: 'Reload the model from MODEL_PATH',
    description:
      'Re-reads MODEL_PATH, verifies it fully, then swaps it in atomically: in-flight requests finish on the old model, and on any failure the old model keeps serving (422 says why). Requires ADMIN_TOKEN; without it the route does not exist. SIGHUP does the same.',
  })
  @ApiOkResponse({ type: ModelReloadResponseDto })
  @ApiProblemResponses(401, 404, 422, 500)
  reload(): Promise<ModelReloadResponseDto> {
    return this.models.reload();
  }
}
