import type { FieldError } from '../errors';

const STORE = Symbol('validation:field-errors');

type WithStore = { [STORE]?: Map<string, FieldError> };

/**
 * Keeps the precise {@link FieldError} a custom constraint found for a property on the object
 * being validated (under a symbol key, invisible to whitelisting), so the error mapper can report
 * `data[3][1]` rather than just `data` without checking the value twice.
 */
export function recordFieldError(
  object: object,
  constraint: string,
  property: string,
  error: FieldError,
): void {
  const holder = object as WithStore;
  (holder[STORE] ??= new Map()).set(`${constraint}:${property}`, error);
}

/** The error recorded by constraint `constraint` for `property`, if any. */
export function recordedFieldError(
  object: object,
  constraint: string,
  property: string,
): FieldError | undefined {
  return (object as WithStore)[STORE]?.get(`${constraint}:${property}`);
}
