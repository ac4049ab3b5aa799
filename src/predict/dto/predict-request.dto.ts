import { ExactlyOneOf, IsFeatureMap, IsFeatureVector } from '../../common/validation';

/** Body of `POST /predict`: one row, as an array (`data`) or keyed by feature name (`features`). */
export class PredictRequestDto {
  @ExactlyOneOf(['data', 'features'])
  @IsFeatureVector({
    optional: true,
    description:
      "One row of feature values in the model's column order (GET /model lists feature_names). Exactly one of data or features.",
    example: [-5.5, 5.2],
  })
  data?: number[];

  @IsFeatureMap({
    optional: true,
    description:
      "One row keyed by the model's feature names; every name is required. Exactly one of data or features.",
    example: { cpu_usage: 1.2, memory_load: 3.4 },
  })
  features?: Record<string, number>;
}
