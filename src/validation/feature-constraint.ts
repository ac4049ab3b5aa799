import { ValidateBy, type ValidationArguments } from 'class-validator';
import type { FieldError } from '../errors';
import { recordedFieldError, recordFieldError } from './field-error.store';

/**
 * A class-validator constraint backed by a pure check that returns a precise {@link FieldError}.
 * The error is kept on the validated object so the mapper can name `data[3][1]`, not just `data`.
 *
 * @param name constraint name (the key in class-validator's `constraints`)
 * @param check returns the first problem with `value` found under `property`, or null
 */
export function featureConstraint(
  name: string,
  check: (value: unknown, property: string, object: object) => FieldError | null,
): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate(value: unknown, args: ValidationArguments): boolean {
        const err = check(value, args.property, args.object);
        if (err !== null) recordFieldError(args.object, name, args.property, err);
        return err === null;
      },
      defaultMessage(args: ValidationArguments): string {
        const err = recordedFieldError(args.object, name, args.property);
        return err ? `${err.field} ${err.message}` : `${args.property} is invalid`;
      },
    },
  });
}
