import type { ValidatorOptions } from 'class-validator';

/**
 * class-validator options for request DTOs: unknown properties are errors (not silently
 * stripped), bare objects without metadata are refused, and each property reports its first
 * failure only.
 */
export const VALIDATOR_OPTIONS: Readonly<ValidatorOptions> = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: true,
  validationError: { target: false, value: false },
});
