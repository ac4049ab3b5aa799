import { Injectable, type PipeTransform } from '@nestjs/common';
import { RequestValidationError } from '../errors';
import { MODEL_NAME_PATTERN } from '../config/env.validation';

/** Checks the optional `?model=` query parameter: absent, or a valid model name. */
@Injectable()
export class ModelNameQueryPipe implements PipeTransform<unknown, string | undefined> {
  /** @throws RequestValidationError (400) for a repeated or malformed name. */
  transform(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !MODEL_NAME_PATTERN.test(value)) {
      throw RequestValidationError.of(
        'model',
        'must be a model name: 1 to 128 characters of A-Za-z0-9._- starting with a letter or digit',
      );
    }
    return value;
  }
}
