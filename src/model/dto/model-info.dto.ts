import { ApiProperty } from '@nestjs/swagger';

/** The last model load attempt. */
export class LoadAttemptDto {
  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' })
  at!: string;

  @ApiProperty({ enum: ['startup', 'api', 'signal'] })
  trigger!: 'startup' | 'api' | 'signal';

  @ApiProperty()
  ok!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Why it failed (null on success)' })
  reason!: string | null;
}

/** Metadata of the serving model (`GET /model`). */
export class ModelInfoDto {
  @ApiProperty({ example: 'if-20250101T000000Z-3f2a9c1d' })
  model_version!: string;

  @ApiProperty({ description: 'sha256 (hex) of the artifact content' })
  sha256!: string;

  @ApiProperty({ description: 'When the model was created (ISO-8601)' })
  created_at!: string;

  @ApiProperty({ description: 'When this process loaded it (ISO-8601)' })
  loaded_at!: string;

  @ApiProperty({ enum: ['native', 'sklearn-pickle', 'sklearn-joblib'] })
  source_format!: string;

  @ApiProperty({ type: String, nullable: true, description: 'For imported models' })
  sklearn_version!: string | null;

  @ApiProperty({ type: [String], nullable: true, example: ['cpu_usage', 'memory_load'] })
  feature_names!: string[] | null;

  @ApiProperty({
    example: false,
    description:
      'Whether the model accepts missing values: null in JSON rows (an empty cell in CSV) is scored as scikit-learn >= 1.6 scores NaN (each split sends it to the side recorded at training). True for scikit-learn >= 1.6 models and native models trained on data with missing values; for other models a null is a 400 naming the field.',
  })
  accepts_missing_values!: boolean;

  @ApiProperty({ example: 2 })
  n_features!: number;

  @ApiProperty({ example: 100 })
  n_estimators!: number;

  @ApiProperty({ example: 256, description: 'Rows drawn per tree (max_samples_)' })
  max_samples!: number;

  @ApiProperty({ example: 2, description: 'Columns drawn per tree' })
  max_features!: number;

  // Untyped in the document (buildOpenApiDocument drops the reflected 'object'): OpenAPI 3.0 can
  // only say "the string 'auto' or a number" with oneOf, and openapi-generator's Java clients
  // turn a oneOf of primitives into an empty class that holds neither value.
  @ApiProperty({
    description: "'auto' (offset -0.5) or the expected share of anomalies, a number in (0, 0.5]",
    example: 'auto',
  })
  contamination!: 'auto' | number;

  @ApiProperty({ example: -0.5, description: "scikit-learn's offset_" })
  offset!: number;

  @ApiProperty({
    example: 0.5,
    description: '-offset: anomaly_score above which a row is an anomaly',
  })
  threshold!: number;

  @ApiProperty({ type: Number, nullable: true })
  n_training_samples!: number | null;

  @ApiProperty({ type: LoadAttemptDto, nullable: true })
  last_load!: LoadAttemptDto | null;
}

/** Response of a successful `POST /model/reload`. */
export class ModelReloadResponseDto {
  @ApiProperty({ enum: ['reloaded'] })
  status!: 'reloaded';

  @ApiProperty({ type: String, nullable: true, description: 'Version that served before' })
  previous_version!: string | null;

  @ApiProperty({ type: ModelInfoDto })
  model!: ModelInfoDto;
}
