import { ApiProperty } from '@nestjs/swagger';

/** The live window of `GET /model/monitoring`. */
export class MonitoringWindowDto {
  @ApiProperty({
    example: 4200,
    description: 'Rows in the window (the most recent rows this process scored with the model)',
  })
  rows!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-12-04T10:00:00.000Z',
    description: 'When the oldest row in the window was scored; null when it is empty',
  })
  since!: string | null;

  @ApiProperty({
    example: 10000,
    description: 'Rows the window holds at most (MONITOR_WINDOW_ROWS)',
  })
  capacity!: number;
}

/** Observed against expected anomaly rate. */
export class AnomalyRateDto {
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.091,
    description: 'Share of the window flagged as anomalies; null when it is empty',
  })
  observed!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.088,
    description: 'Share of the training rows the model flags; null without a training reference',
  })
  expected!: number | null;
}

/** Drift of the anomaly score. */
export class ScoreDriftDto {
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.013,
    description: "PSI of the window's anomaly scores against the training scores' quantile bins",
  })
  psi!: number | null;

  @ApiProperty({ example: false, description: 'psi > DRIFT_PSI_THRESHOLD' })
  drifting!: boolean;
}

/** Drift of one feature. */
export class FeatureDriftDto {
  @ApiProperty({ example: 'cpu_usage' })
  name!: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.021,
    description:
      "PSI of the window's values present against the feature's training quantile bins (computed over the training values present)",
  })
  psi!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.12,
    description: "Mean of the window's values present (missing values left out); null when none is",
  })
  live_mean!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0,
    description:
      "Share of the window's rows with this feature missing (null or an empty CSV cell, for a model that accepts missing values); they count in no bin of the PSI",
  })
  missing_share!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: -0.02,
    description: 'Mean over the training rows',
  })
  reference_mean!: number | null;

  @ApiProperty({ example: false, description: 'psi > DRIFT_PSI_THRESHOLD' })
  drifting!: boolean;
}

/** Thresholds in force. */
export class MonitoringThresholdsDto {
  @ApiProperty({ example: 0.2, description: 'DRIFT_PSI_THRESHOLD' })
  psi!: number;

  @ApiProperty({ example: 500, description: 'MONITOR_MIN_ROWS' })
  min_rows!: number;
}

/** Response of `GET /model/monitoring`. */
export class ModelMonitoringDto {
  @ApiProperty({ example: 'anomaly-detector', description: 'Model name' })
  model!: string;

  @ApiProperty({
    example: 'sha256-c0fdea5622b94ef1',
    description: 'The serving model the window belongs to',
  })
  model_version!: string;

  @ApiProperty({
    enum: ['ok', 'drift', 'insufficient_data'],
    example: 'ok',
    description:
      'insufficient_data: fewer than MONITOR_MIN_ROWS rows, no training reference, or monitoring off (reason says which); drift: a feature or the score has PSI above DRIFT_PSI_THRESHOLD; else ok',
  })
  status!: 'ok' | 'drift' | 'insufficient_data';

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Why the figures are null or the status is insufficient_data',
  })
  reason!: string | null;

  @ApiProperty({ type: MonitoringWindowDto })
  window!: MonitoringWindowDto;

  @ApiProperty({ type: AnomalyRateDto })
  anomaly_rate!: AnomalyRateDto;

  @ApiProperty({ type: ScoreDriftDto })
  score!: ScoreDriftDto;

  @ApiProperty({ type: [FeatureDriftDto] })
  features!: FeatureDriftDto[];

  @ApiProperty({ type: MonitoringThresholdsDto })
  thresholds!: MonitoringThresholdsDto;

  @ApiProperty({
    example: 'process',
    description:
      'The window covers the rows scored by the process that answered (each worker keeps its own)',
  })
  scope!: 'process';
}
