import { RequestValidationError, type FieldError } from '../errors';
import { memberPath, missingValueError } from '../validation';
import { acceptsMissingValues, type DenseMatrix } from '../engine';
import type { ServingModel } from '../model/serving-model';
import type { PredictRequestDto } from './dto/predict-request.dto';

/**
 * The model input row of a validated `POST /predict` body: `data` as is when its length is the
 * model's feature count, or `features` placed in the model's column order.
 *
 * @throws RequestValidationError naming the offending field (wrong count, unknown or missing
 *   feature names, or `features` for a model without names).
 */
export function featureRow(body: PredictRequestDto, model: ServingModel): ArrayLike<number> {
  const n = model.artifact.nFeatures;
  if (body.data !== undefined) {
    const data = body.data;
    if (data.length !== n) {
      throw RequestValidationError.of(
        'data',
        `must contain exactly ${model.expectedInput}, got ${data.length}`,
      );
    }
    if (!data.includes(null)) return data as number[];
    const errors: FieldError[] = [];
    const row = Float64Array.from(data, (v, j) => {
      if (v !== null) return v;
      errors.push(missingValueError(`data[${j}]`));
      return NaN;
    });
    if (errors.length > 0 && !acceptsMissingValues(model.artifact.forest)) {
      throw new RequestValidationError(errors);
    }
    return row;
  }
  const features = body.features ?? {};
  const columns = model.columns;
  if (columns === null) {
    throw RequestValidationError.of(
      'features',
      'cannot be used with this model, which has no feature names: send data instead',
    );
  }
  const row = new Float64Array(n);
  const errors: FieldError[] = [];
  const missing: FieldError[] = [];
  let found = 0;
  for (const name of Object.keys(features)) {
    const column = columns.get(name);
    if (column === undefined) {
      errors.push({
        field: memberPath('features', name),
        message: `is not a feature of this model (expected ${model.expectedInput})`,
      });
    } else {
      const v = features[name];
      if (v === null) missing.push(missingValueError(memberPath('features', name)));
      row[column] = v ?? NaN;
      found++;
    }
  }
  if (found !== n) {
    for (const name of columns.keys()) {
      if (!Object.prototype.hasOwnProperty.call(features, name)) {
        errors.push({ field: memberPath('features', name), message: 'is required' });
      }
    }
  }
  if (missing.length > 0 && !acceptsMissingValues(model.artifact.forest)) errors.push(...missing);
  if (errors.length > 0) throw new RequestValidationError(errors);
  return row;
}

/**
 * The rows of a validated `POST /predict/batch` body as a matrix, null cells as NaN (missing).
 * A model that does not accept missing values gets a 400 naming each null cell (up to 20).
 */
export function featureMatrix(
  rows: readonly (readonly (number | null)[])[],
  model: ServingModel,
): DenseMatrix {
  const n = rows.length;
  const cols = model.artifact.nFeatures;
  const data = new Float64Array(n * cols);
  const accepts = acceptsMissingValues(model.artifact.forest);
  const errors: FieldError[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row.length !== cols) {
      throw RequestValidationError.of(
        `data[${i}]`,
        `must contain exactly ${model.expectedInput}, got ${row.length}`,
      );
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (v === null) {
        if (!accepts && errors.length < 20) errors.push(missingValueError(`data[${i}][${j}]`));
        data[k++] = NaN;
      } else data[k++] = v;
    }
  }
  if (errors.length > 0) throw new RequestValidationError(errors);
  return { data, rows: n, cols };
}
