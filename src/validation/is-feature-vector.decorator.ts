import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { featureConstraint } from './feature-constraint';
import { vectorError } from './feature-values';

/** Constraint name of {@link IsFeatureVector}. */
export const IS_FEATURE_VECTOR = 'isFeatureVector';

/** Upper bound on a feature vector's length before the model's own count is known. */
export const MAX_FEATURES = 100_000;

/** Options of {@link IsFeatureVector}. */
export interface FeatureVectorOptions {
  /** `undefined` passes (another rule decides whether the property is required). @default false */
  readonly optional?: boolean;
  readonly description?: string;
  readonly example?: readonly number[];
}

/**
 * One row of model input: a non-empty JSON array of numbers that are finite in float32, or
 * null for a missing value (no strings, booleans, nested arrays, NaN, Infinity or overflow;
 * whether the model accepts null is checked at scoring time). Validation and the
 * OpenAPI schema in one decorator; the model's exact feature count is checked at scoring time.
 */
export function IsFeatureVector(options: FeatureVectorOptions = {}): PropertyDecorator {
  const optional = options.optional ?? false;
  return applyDecorators(
    featureConstraint(IS_FEATURE_VECTOR, (value, property) =>
      optional && value === undefined ? null : vectorError(value, property, MAX_FEATURES),
    ),
    ApiProperty({
      required: !optional,
      type: 'array',
      items: { type: 'number', format: 'double', nullable: true },
      minItems: 1,
      maxItems: MAX_FEATURES,
      description: options.description,
      example: options.example,
    }),
  );
}
