import { ApiProperty } from '@nestjs/swagger';
import { ExplanationDto } from '../../explain/dto/explanation.dto';

/** The scores of one row. */
export class RowPredictionDto {
  @ApiProperty({
    type: 'integer',
    enum: [-1, 1],
    example: -1,
    description: "scikit-learn's predict: -1 for an anomaly, 1 for a normal row",
  })
  prediction_score!: -1 | 1;

  @ApiProperty({ example: true, description: 'prediction_score === -1' })
  is_anomaly!: boolean;

  @ApiProperty({
    example: 0.7121,
    description: "The paper's anomaly score, -score_samples, in (0, 1]: higher is more anomalous",
  })
  anomaly_score!: number;

  @ApiProperty({
    example: -0.2121,
    description: "scikit-learn's decision_function: score_samples - offset; below 0 is an anomaly",
  })
  decision_function!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 100,
    example: 99.6,
    description:
      "Share of the model's training rows, in percent (resolution 0.1), whose anomaly_score is at most this row's: 99.6 means only 0.4% of the training rows looked more anomalous. null when the model carries no training reference (see GET /model/monitoring's reason).",
  })
  anomaly_percentile?: number | null;

  @ApiProperty({
    type: ExplanationDto,
    required: false,
    description:
      'Only when the request had "explain": true: which features made the row (more or less) anomalous',
  })
  explanation?: ExplanationDto;
}

/** Response of `POST /predict`. */
export class PredictResponseDto extends RowPredictionDto {
  @ApiProperty({
    example: 0.5,
    description: '-offset: the anomaly_score above which a row is an anomaly',
  })
  threshold!: number;

  @ApiProperty({
    example: 'if-20250101T000000Z-3f2a9c1d',
    description: 'Version of the model that scored the row',
  })
  model_version!: string;
}

/** Response of `POST /predict/batch`. */
export class PredictBatchResponseDto {
  @ApiProperty({
    example: 'if-20250101T000000Z-3f2a9c1d',
    description: 'Version of the model that scored every row',
  })
  model_version!: string;

  @ApiProperty({
    type: [RowPredictionDto],
    description: 'One entry per input row, in input order',
  })
  predictions!: RowPredictionDto[];
}
