import { FastAccept, IsFeatureMatrix, matrixError, MAX_FEATURES } from '../../common/validation';

/** Hard ceiling on batch rows (`MAX_BATCH_ROWS` may only lower it). */
export const BATCH_ROWS_CEILING = 1_000_000;

/**
 * The hot-path acceptor of {@link PredictBatchRequestDto}: a plain object whose only own key is
 * `data`, a valid feature matrix (same pure check as the decorator).
 */
export function isAcceptableBatchBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  let keys = 0;
  for (const k in body) {
    if (k !== 'data' || !Object.prototype.hasOwnProperty.call(body, k) || ++keys > 1) return false;
  }
  const data = (body as { data?: unknown }).data;
  return keys === 1 && matrixError(data, 'data', BATCH_ROWS_CEILING, MAX_FEATURES) === null;
}

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
}
