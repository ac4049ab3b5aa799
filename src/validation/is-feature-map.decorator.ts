import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { featureConstraint } from './feature-constraint';
import { featureMapError } from './feature-values';
import { MAX_FEATURES } from './is-feature-vector.decorator';

/** Constraint name of {@link IsFeatureMap}. */
export const IS_FEATURE_MAP = 'isFeatureMap';

/** Options of {@link IsFeatureMap}. */
export interface FeatureMapOptions {
  /** `undefined` passes (another rule decides whether the property is required). @default false */
  readonly optional?: boolean;
  readonly description?: string;
  readonly example?: Readonly<Record<string, number>>;
}

/**
 * One row of model input keyed by feature name: a JSON object whose values are numbers finite in
 * float32. Which names are required is the model's business, checked at scoring time.
 */
export function IsFeatureMap(options: FeatureMapOptions = {}): PropertyDecorator {
  const optional = options.optional ?? false;
  return applyDecorators(
    featureConstraint(IS_FEATURE_MAP, (value, property) =>
      optional && value === undefined ? null : featureMapError(value, property, MAX_FEATURES),
    ),
    ApiProperty({
      required: !optional,
      type: Object,
      additionalProperties: { type: 'number', format: 'double', nullable: true },
      description: options.description,
      example: options.example,
    }),
  );
}
