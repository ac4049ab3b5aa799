import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { SkipApiKey } from '../auth/skip-api-key.decorator';
import { ApiOipErrors } from './api-oip-errors.decorator';
import { RepositoryIndexEntryDto, RepositoryIndexRequestDto } from './oip.dto';
import { RepositoryService } from './repository.service';

/**
 * Triton's model repository extension under `/v2/repository`: list, load and unload models
 * without a restart. Admin routes: `Authorization: Bearer <ADMIN_TOKEN>`, and absent (404)
 * without `ADMIN_TOKEN`.
 */
@ApiTags('open inference protocol (v2)')
@ApiBearerAuth('admin-token')
@UseGuards(AdminTokenGuard)
@SkipApiKey()
@SkipThrottle()
@Controller('v2/repository')
export class RepositoryController {
  constructor(private readonly repository: RepositoryService) {}

  /** Every model of the repository, one row per version, with its state. */
  @Post('index')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'oipRepositoryIndex',
    summary: 'Repository index',
    description: 'One row per model version: READY, or UNAVAILABLE with the reason.',
  })
  @ApiBody({ type: RepositoryIndexRequestDto, required: false })
  @ApiOkResponse({ type: [RepositoryIndexEntryDto] })
  @ApiOipErrors(400, 401, 404)
  index(@Body() body: unknown): Promise<RepositoryIndexEntryDto[]> {
    return this.repository.index(body);
  }

  /** (Re)loads every version of a model from the repository. */
  @Post('models/:name/load')
  @HttpCode(200)
  @ApiParam({ name: 'name', example: 'anomaly-detector' })
  @ApiOperation({
    operationId: 'oipRepositoryLoad',
    summary: 'Load or reload a model',
    description:
      'Reads and verifies every version, then swaps the model in atomically. On failure a serving model keeps serving (400 says why).',
  })
  @ApiOkResponse({ description: 'Loaded; body `{}`' })
  @ApiOipErrors(400, 401, 404)
  load(@Param('name') name: string): Promise<Record<string, never>> {
    return this.repository.load(name);
  }

  /** Unloads every version of a model (requests get 503 until it is loaded again). */
  @Post('models/:name/unload')
  @HttpCode(200)
  @ApiParam({ name: 'name', example: 'anomaly-detector' })
  @ApiOperation({ operationId: 'oipRepositoryUnload', summary: 'Unload a model' })
  @ApiOkResponse({ description: 'Unloaded; body `{}`' })
  @ApiOipErrors(401, 404)
  unload(@Param('name') name: string): Promise<Record<string, never>> {
    return this.repository.unload(name);
  }
}
