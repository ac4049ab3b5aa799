import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Largest worker pool `WORKERS` may ask for. */
export const MAX_WORKERS = 256;

/** `auto`, or a decimal integer from 1 to {@link MAX_WORKERS} (no sign, no leading zero). */
export function IsWorkerCount(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isWorkerCount',
      validator: {
        validate: (value: unknown): boolean =>
          typeof value === 'string' &&
          (/^auto$/i.test(value) || (/^[1-9]\d*$/.test(value) && Number(value) <= MAX_WORKERS)),
        defaultMessage: () => `$property must be auto or an integer from 1 to ${MAX_WORKERS}`,
      },
    },
    options,
  );
}
