import { Injectable } from '@nestjs/common';
import { ModelReloadError } from '../errors';
import type { ModelInfoDto, ModelReloadResponseDto } from './dto/model-info.dto';
import { toModelInfo } from './model-info';
import { ModelRegistry } from './model-registry';

/** The domain API's model routes (`GET /model`, `POST /model/reload`) over the registry. */
@Injectable()
export class ModelAdminService {
  constructor(private readonly registry: ModelRegistry) {}

  /**
   * Metadata of the serving version of `name` (the default model when omitted).
   *
   * @throws ModelNotFoundError / ModelUnavailableError as {@link ModelRegistry.get}.
   */
  info(name: string = this.registry.defaultName): ModelInfoDto {
    const model = this.registry.get(name);
    return toModelInfo(model, this.registry.entry(name)?.lastLoad ?? null);
  }

  /**
   * Reloads `name` (the default model when omitted) from its source.
   *
   * @throws ModelReloadError when it fails (the previous model, if any, keeps serving).
   */
  async reload(name: string = this.registry.defaultName): Promise<ModelReloadResponseDto> {
    const outcome = await this.registry.load(name, 'api');
    if (!outcome.ok) {
      throw new ModelReloadError(outcome.reason, outcome.serving?.modelVersion ?? null);
    }
    return {
      status: 'reloaded',
      previous_version: outcome.previous?.modelVersion ?? null,
      model: toModelInfo(outcome.model, this.registry.entry(name)?.lastLoad ?? null),
    };
  }
}
