import { RequestValidationError, type FieldError } from '../common/errors';
import { memberPath } from '../common/validation';
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
    if (body.data.length !== n) {
      throw RequestValidationError.of(
        'data',
        `must contain exactly ${model.expectedInput}, got ${body.data.length}`,
      );
    }
    return body.data;
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
  let found = 0;
  for (const name of Object.keys(features)) {
    const column = columns.get(name);
    if (column === undefined) {
      errors.push({
        field: memberPath('features', name),
        message: `is not a feature of this model (expected ${model.expectedInput})`,
      });
    } else {
      row[column] = features[name];
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
  if (errors.length > 0) throw new RequestValidationError(errors);
  return row;
}
