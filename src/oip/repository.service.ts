import { Injectable } from '@nestjs/common';
import { ModelNotFoundError, ModelReloadError, RequestValidationError } from '../errors';
import { describeJsonValue } from '../validation';
import { ModelLoader } from '../model/model-loader';
import { ModelRegistry } from '../model/model-registry';
import type { RepositoryIndexEntryDto } from './oip.dto';

/** Triton's repository extension over the registry and the loader. */
@Injectable()
export class RepositoryService {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly loader: ModelLoader,
  ) {}

  /**
   * Every model of the repository and of the registry: one row per version with its state, or
   * one row without a version for a model that has none loaded (never loaded, or no version
   * folder). `{"ready": true}` keeps the ready rows only.
   *
   * @throws RequestValidationError for a body other than `{}` / `{"ready": bool}`.
   */
  async index(body: unknown): Promise<RepositoryIndexEntryDto[]> {
    const readyOnly = readyFilter(body);
    const names = new Set(await this.loader.names());
    for (const entry of this.registry.entries()) names.add(entry.name);
    const rows: RepositoryIndexEntryDto[] = [];
    for (const name of [...names].sort()) {
      const entry = this.registry.entry(name);
      if (entry === undefined || entry.versions.length === 0) {
        rows.push({
          name,
          state: 'UNAVAILABLE',
          reason: entry?.reason ?? 'not loaded',
        });
        continue;
      }
      for (const slot of entry.versions) {
        rows.push({
          name,
          version: String(slot.version),
          state: slot.state,
          reason: slot.reason ?? '',
        });
      }
    }
    return readyOnly ? rows.filter((r) => r.state === 'READY') : rows;
  }

  /**
   * (Re)loads `name` from the repository.
   *
   * @throws ModelNotFoundError when the repository has no such model.
   * @throws ModelReloadError when a version fails to load (a serving model keeps serving).
   */
  async load(name: string): Promise<Record<string, never>> {
    if (!(await this.loader.names()).includes(name)) throw new ModelNotFoundError(name);
    const outcome = await this.registry.load(name, 'api');
    if (!outcome.ok) {
      throw new ModelReloadError(outcome.reason, outcome.serving?.modelVersion ?? null);
    }
    return {};
  }

  /**
   * Unloads every version of `name`.
   *
   * @throws ModelNotFoundError when the registry does not know `name`.
   */
  async unload(name: string): Promise<Record<string, never>> {
    await this.registry.unload(name);
    return {};
  }
}

function readyFilter(body: unknown): boolean {
  if (body === undefined) return false;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw RequestValidationError.of(
      'body',
      `must be a JSON object such as {"ready": true}, got ${describeJsonValue(body)}`,
    );
  }
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'ready') throw RequestValidationError.of(key, 'is not an allowed property');
    if (typeof value !== 'boolean') {
      throw RequestValidationError.of(
        'ready',
        `must be a boolean, got ${describeJsonValue(value)}`,
      );
    }
  }
  return (body as { ready?: boolean }).ready === true;
}
