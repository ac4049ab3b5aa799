import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, ValidateIf } from 'class-validator';
import { FastAccept, IsFeatureMatrix, matrixError, MAX_FEATURES } from '../../validation';

/** Hard ceiling on batch rows (`MAX_BATCH_ROWS` may only lower it). */
export const BATCH_ROWS_CEILING = 1_000_000;

/**
 * The hot-path acceptor of {@link PredictBatchRequestDto}: a plain object whose own keys are
 * `data`, a valid feature matrix (same pure check as the decorator), and optionally `explain`,
 * a boolean.
 */
export function isAcceptableBatchBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  let keys = 0;
  for (const k in body) {
    if (!Object.prototype.hasOwnProperty.call(body, k)) return false;
    if (k === 'explain') {
      if (typeof (body as Record<string, unknown>).explain !== 'boolean') return false;
      continue;
    }
    if (k !== 'data' || ++keys > 1) return false;
  }
  const data = (body as { data?: unknown }).data;
  return keys === 1 && matrixError(data, 'data', BATCH_ROWS_CEILING, MAX_FEATURES) === null;
}

/** The OpenAPI example of a batch: the seed's two rows (an anomaly, then a normal row). */
export const SEED_BATCH_EXAMPLE = {
  summary: "The seed's two rows",
  value: {
    data: [
      [-5.5, 5.2],
      [2.1, 2.1],
    ],
  },
} as const;

/** Body of `POST /predict/batch`. */
@FastAccept(isAcceptableBatchBody)
export class PredictBatchRequestDto {
  @IsFeatureMatrix({
    maxRows: BATCH_ROWS_CEILING,
    description:
      "Rows of feature values in the model's column order, 1 to MAX_BATCH_ROWS of them (default 10000).",
    example: [
      [-5.5, 5.2],
      [2.1, 2.1],
    ],
  })
  data!: (number | null)[][];

  @ApiProperty({
    required: false,
    default: false,
    example: false,
    description:
      'When true, every prediction carries an `explanation` (see POST /predict). Such batches may have at most MAX_EXPLAIN_ROWS rows (default 1000).',
  })
  // Absent is false; anything present, null included, must be a boolean.
  @ValidateIf((o: { explain?: unknown }) => o.explain !== undefined)
  @IsBoolean()
  explain?: boolean;
}
