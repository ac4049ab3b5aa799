import type { FieldError } from '../errors';

/**
 * Pure checks of numeric request payloads, shared by the validation decorators (which make them
 * class-validator constraints) and anything that needs the precise offending location. Each
 * returns the first problem as a {@link FieldError}, or null when the value is acceptable.
 *
 * Accepted values are JSON numbers that stay finite when rounded to float32, the input type the
 * model compares against (scikit-learn casts X to float32 and rejects NaN, infinity and
 * overflow). JSON has no NaN literal, and `1e400` parses to Infinity, so both paths are covered.
 *
 * `null` is a missing value. It passes these model-independent checks; whether the serving
 * model accepts missing values (scikit-learn >= 1.6 models and native models fitted on data
 * with NaN do) is decided at scoring time, where a model that does not gets a 400 naming the
 * field (see `missingValueErrors` in src/predict/feature-row.ts).
 */

/** Smallest magnitude that overflows float32 when rounded (same bound as the engine's check). */
export const FLOAT32_OVERFLOW = 3.4028235677973366e38;

/** Describes a JSON value's kind for messages: `a string`, `null`, `an array`... */
export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The problem with one array element or map value, or null when it is a usable number. */
export function numberError(value: unknown, field: string): FieldError | null {
  if (value === null) return null;
  if (typeof value !== 'number') {
    return {
      field,
      message: `must be a number or null (missing), got ${describeJsonValue(value)}`,
    };
  }
  if (!(Math.abs(value) < FLOAT32_OVERFLOW)) {
    return {
      field,
      message: `must be a finite number within float32 range (|x| < 3.4028235e38), got ${value}`,
    };
  }
  return null;
}

/** `features.cpu_usage`, or `features["odd key"]` when the key is not identifier-like. */
export function memberPath(field: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
    ? `${field}.${key}`
    : `${field}[${JSON.stringify(key)}]`;
}

/** Checks a non-empty array of at most `maxLength` usable numbers. */
export function vectorError(value: unknown, field: string, maxLength: number): FieldError | null {
  if (!Array.isArray(value)) {
    return {
      field,
      message: `must be an array of numbers, got ${describeJsonValue(value)}`,
    };
  }
  const n = value.length;
  if (n === 0) return { field, message: 'must contain at least one number' };
  if (n > maxLength) return { field, message: `must contain at most ${maxLength} numbers` };
  for (let i = 0; i < n; i++) {
    const v: unknown = value[i];
    // Inline fast test; the general check only runs to describe a failure (or accept null).
    if (typeof v !== 'number' || !(Math.abs(v) < FLOAT32_OVERFLOW)) {
      const err = numberError(v, `${field}[${i}]`);
      if (err) return err;
    }
  }
  return null;
}

/**
 * Checks a non-empty array of at most `maxRows` rows, each a non-empty array of usable numbers,
 * all as long as the first row (and at most `maxCols` long).
 */
export function matrixError(
  value: unknown,
  field: string,
  maxRows: number,
  maxCols: number,
): FieldError | null {
  if (!Array.isArray(value)) {
    return {
      field,
      message: `must be an array of rows (arrays of numbers), got ${describeJsonValue(value)}`,
    };
  }
  const rows = value.length;
  if (rows === 0) return { field, message: 'must contain at least one row' };
  if (rows > maxRows)
    return { field, message: `must contain at most ${maxRows} rows, got ${rows}` };
  let cols = -1;
  for (let i = 0; i < rows; i++) {
    const row: unknown = value[i];
    if (!Array.isArray(row)) {
      return {
        field: `${field}[${i}]`,
        message: `must be an array of numbers, got ${describeJsonValue(row)}`,
      };
    }
    if (cols < 0) {
      const first = vectorError(row, `${field}[${i}]`, maxCols);
      if (first) return first;
      cols = row.length;
      continue;
    }
    if (row.length !== cols) {
      return {
        field: `${field}[${i}]`,
        message: `has ${row.length} values, but ${field}[0] has ${cols}`,
      };
    }
    for (let j = 0; j < cols; j++) {
      const v: unknown = row[j];
      if (typeof v !== 'number' || !(Math.abs(v) < FLOAT32_OVERFLOW)) {
        const err = numberError(v, `${field}[${i}][${j}]`);
        if (err) return err;
      }
    }
  }
  return null;
}

/** Checks an object with 1 to `maxKeys` own keys, each mapping to a usable number. */
export function featureMapError(value: unknown, field: string, maxKeys: number): FieldError | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      field,
      message: `must be an object mapping feature names to numbers, got ${describeJsonValue(value)}`,
    };
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return { field, message: 'must name at least one feature' };
  if (keys.length > maxKeys) return { field, message: `must name at most ${maxKeys} features` };
  for (const key of keys) {
    const err = numberError((value as Record<string, unknown>)[key], memberPath(field, key));
    if (err) return err;
  }
  return null;
}

/**
 * The 400 for a missing value sent to a model that does not accept missing values: `what` says
 * what arrived (default: a JSON `null`). The domain API and the Open Inference Protocol give the
 * same explanation.
 */
export function missingValueError(field: string, what = 'is null (a missing value)'): FieldError {
  return {
    field,
    message: `${what}, but this model does not accept missing values (GET /model: accepts_missing_values is false; scikit-learn models from 1.6 on, and native models trained on data with missing values, do)`,
  };
}
