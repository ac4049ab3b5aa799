import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { featureConstraint } from './feature-constraint';
import { matrixError } from './feature-values';
import { MAX_FEATURES } from './is-feature-vector.decorator';

/** Constraint name of {@link IsFeatureMatrix}. */
export const IS_FEATURE_MATRIX = 'isFeatureMatrix';

/** Options of {@link IsFeatureMatrix}. */
export interface FeatureMatrixOptions {
  /** Most rows accepted by the constraint (the service may configure a lower limit). */
  readonly maxRows: number;
  readonly description?: string;
  readonly example?: readonly (readonly number[])[];
}

/**
 * Rows of model input: 1 to `maxRows` JSON arrays of equal length whose elements are numbers
 * finite in float32. Reports the first offending cell as `data[i][j]`.
 */
export function IsFeatureMatrix(options: FeatureMatrixOptions): PropertyDecorator {
  const { maxRows } = options;
  return applyDecorators(
    featureConstraint(IS_FEATURE_MATRIX, (value, property) =>
      matrixError(value, property, maxRows, MAX_FEATURES),
    ),
    ApiProperty({
      type: 'array',
      items: {
        type: 'array',
        items: { type: 'number', format: 'double', nullable: true },
        minItems: 1,
        maxItems: MAX_FEATURES,
      },
      minItems: 1,
      maxItems: maxRows,
      description: options.description,
      example: options.example,
    }),
  );
}
