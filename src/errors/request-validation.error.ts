import type { FieldError } from './field-error';

/** The request was well-formed JSON but its content is invalid (400, with field errors). */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';

  /** @param errors at least one offending field */
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }

  /** One error on one field. */
  static of(field: string, message: string): RequestValidationError {
    return new RequestValidationError([{ field, message }]);
  }
}
