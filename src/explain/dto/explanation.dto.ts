import { ApiProperty } from '@nestjs/swagger';

/** One entry of `top_features`. */
export class TopFeatureDto {
  @ApiProperty({ example: 'cpu_usage', description: 'Feature name' })
  feature!: string;

  @ApiProperty({
    example: -4.789225951768881,
    description: 'Its Shapley value (path-length units)',
  })
  shap_value!: number;

  @ApiProperty({
    example: 0.46748004314700886,
    description: 'Its log2 contribution to the anomaly score (positive: raised it)',
  })
  log2_contribution!: number;
}

/**
 * Why the row scored as it did: path-dependent TreeSHAP of the mean path length, the numbers
 * shap's `TreeExplainer(model).shap_values(X)` gives (docs/explanations.md).
 */
export class ExplanationDto {
  @ApiProperty({ enum: ['tree_shap'], example: 'tree_shap' })
  method!: 'tree_shap';

  @ApiProperty({
    type: [String],
    example: ['cpu_usage', 'memory_load'],
    description: "The model's feature names in column order (x0, x1, ... for an unnamed model)",
  })
  feature_names!: string[];

  @ApiProperty({
    type: [Number],
    example: [-4.789225951768881, -4.165628948762796],
    description:
      'Shapley values of the mean path length, in column order. Negative: the feature shortened the path, i.e. pushed the row toward "anomalous"',
  })
  shap_values!: number[];

  @ApiProperty({
    example: 12.529663757537055,
    description:
      "The base value E (shap's expected_value: the forest's mean path length over its own training sub-samples; for bootstrap models path_length - sum(shap_values), see docs)",
  })
  expected_value!: number;

  @ApiProperty({
    example: 3.574808857005379,
    description:
      'f(x), the mean path length = expected_value + sum(shap_values); anomaly_score = 2^(-path_length / c(max_samples))',
  })
  path_length!: number;

  @ApiProperty({
    type: [Number],
    example: [0.46748004314700886, 0.4066102581739365],
    description:
      '-shap_values / c(max_samples): anomaly_score = 2^(-expected_value / c) * 2^(sum of these); positive raised the anomaly score',
  })
  log2_contributions!: number[];

  @ApiProperty({
    type: [TopFeatureDto],
    description:
      'Up to EXPLAIN_TOP_K (default 5) features with a non-zero shap_value, largest |shap_value| first',
  })
  top_features!: TopFeatureDto[];
}
