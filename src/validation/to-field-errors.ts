import type { ValidationError } from 'class-validator';
import type { FieldError } from '../errors';
import { recordedFieldError } from './field-error.store';

/**
 * Maps class-validator errors to `{field, message}` pairs: the precise location recorded by our
 * feature constraints when there is one, else the property with class-validator's message minus
 * its leading property name. Unknown properties read `is not allowed`.
 */
export function toFieldErrors(dto: object, errors: readonly ValidationError[]): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    for (const [name, message] of Object.entries(e.constraints ?? {})) {
      if (name === 'whitelistValidation') {
        out.push({ field: e.property, message: 'is not an allowed property' });
        continue;
      }
      const recorded = recordedFieldError(dto, name, e.property);
      out.push(
        recorded ?? {
          field: e.property,
          message: message.startsWith(`${e.property} `)
            ? message.slice(e.property.length + 1)
            : message,
        },
      );
    }
  }
  return out;
}
