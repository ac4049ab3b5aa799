import { IsFeatureMatrix } from '../../common/validation';

/** Hard ceiling on batch rows (`MAX_BATCH_ROWS` may only lower it). */
export const BATCH_ROWS_CEILING = 1_000_000;

/** Body of `POST /predict/batch`. */
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
  data!: number[][];
}
