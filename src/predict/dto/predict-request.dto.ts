import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, ValidateIf } from 'class-validator';
import {
  ExactlyOneOf,
  FastAccept,
  featureMapError,
  IsFeatureMap,
  IsFeatureVector,
  MAX_FEATURES,
  vectorError,
} from '../../validation';

/**
 * The hot-path acceptor of {@link PredictRequestDto}: a plain object whose own keys are `data`
 * (a valid feature vector) or `features` (a valid feature map), plus optionally `explain` (a
 * boolean). Same pure checks as the decorators; a property test checks it never accepts what
 * class-validator refuses.
 */
export function isAcceptablePredictBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  let key: string | undefined;
  for (const k in body) {
    if (!Object.prototype.hasOwnProperty.call(body, k)) return false;
    if (k === 'explain') {
      if (typeof (body as Record<string, unknown>).explain !== 'boolean') return false;
      continue;
    }
    if (key !== undefined) return false;
    key = k;
  }
  const value = (body as Record<string, unknown>)[key ?? ''];
  if (key === 'data') return vectorError(value, 'data', MAX_FEATURES) === null;
  if (key === 'features') return featureMapError(value, 'features', MAX_FEATURES) === null;
  return false;
}

/** Body of `POST /predict`: one row, as an array (`data`) or keyed by feature name (`features`). */
@FastAccept(isAcceptablePredictBody)
export class PredictRequestDto {
  @ExactlyOneOf(['data', 'features'])
  @IsFeatureVector({
    optional: true,
    description:
      "One row of feature values in the model's column order (GET /model lists feature_names). null is a missing value, accepted when GET /model says accepts_missing_values (scikit-learn >= 1.6 models); otherwise a 400. Exactly one of data or features.",
    example: [-5.5, 5.2],
  })
  data?: (number | null)[];

  @IsFeatureMap({
    optional: true,
    description:
      "One row keyed by the model's feature names; every name is required (null is a missing value, for models that accept missing values). Exactly one of data or features.",
    example: { cpu_usage: 1.2, memory_load: 3.4 },
  })
  features?: Record<string, number | null>;

  @ApiProperty({
    required: false,
    default: false,
    example: true,
    description:
      'When true, the response carries an `explanation`: which features made the row (more or less) anomalous, as shap TreeExplainer values (see docs/explanations.md).',
  })
  // Absent is false; anything present, null included, must be a boolean.
  @ValidateIf((o: { explain?: unknown }) => o.explain !== undefined)
  @IsBoolean()
  explain?: boolean;
}
