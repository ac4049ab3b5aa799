import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { type DtoClass, validateDto } from './validate-dto';

/**
 * Validates a `@Body()` against its DTO class with {@link validateDto} (class-validator, strict
 * whitelisting, no class-transformer pass). Parameters without a DTO class pass through.
 */
@Injectable()
export class DtoValidationPipe implements PipeTransform<unknown, unknown> {
  /** Returns the validated DTO instance. */
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.metatype;
    if (type === undefined || !isDtoClass(type)) return value;
    return validateDto(type as DtoClass<object>, value);
  }
}

const PRIMITIVES: readonly unknown[] = [String, Boolean, Number, Array, Object];

function isDtoClass(type: unknown): boolean {
  return typeof type === 'function' && !PRIMITIVES.includes(type);
}
