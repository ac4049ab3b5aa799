/**
 * The JSON text of `POST /predict/batch` responses, written directly: byte for byte what
 * `JSON.stringify` gives for `{model_version, predictions: RowPredictionDto[]}` (a property test
 * holds it to that), without building one object per row first.
 *
 * Serialising a 100-row response through objects cost about as much as scoring the rows: most of
 * it went on walking 100 small objects, not on formatting their 200 numbers. Here one
 * `JSON.stringify` of a flat number array formats every number exactly as it would inside the
 * objects, and the fixed text around them is concatenated.
 */

const ANOMALY_HEAD = '{"prediction_score":-1,"is_anomaly":true,"anomaly_score":';
const NORMAL_HEAD = '{"prediction_score":1,"is_anomaly":false,"anomaly_score":';
const DECISION = ',"decision_function":';

/** The response text before the first prediction. */
export function batchJsonHead(modelVersion: string): string {
  return `{"model_version":${JSON.stringify(modelVersion)},"predictions":[`;
}

/** The response text after the last prediction. */
export const BATCH_JSON_TAIL = ']}';

/** One extra output's values for the rows being written (see `ExtraOutput`). */
export interface ExtraJson {
  readonly name: string;
  readonly width: number;
  /** `width` values per row, for exactly the rows being written. */
  readonly values: Float64Array;
}

/**
 * The predictions for `scores` (scikit-learn's `score_samples`), comma-separated, in order:
 * `anomaly_score = -score`, `decision_function = score - offset`, an anomaly when that is < 0,
 * then each of `extras` as `"name": value` (width 1) or `"name": [values]`, then
 * `"explanation": <explanations[i]>` when given (JSON text per row). Empty for no scores.
 */
export function predictionsJson(
  scores: Float64Array,
  offset: number,
  extras: readonly ExtraJson[] = [],
  explanations?: readonly string[],
): string {
  const n = scores.length;
  const values = new Array<number>(2 * n);
  for (let i = 0; i < n; i++) {
    values[2 * i] = -scores[i];
    values[2 * i + 1] = scores[i] - offset;
  }
  // JSON number text never contains a comma, so splitting the array's text recovers each one.
  const texts = JSON.stringify(values).slice(1, -1).split(',');
  let out = '';
  for (let i = 0; i < n; i++) {
    out +=
      (i === 0 ? '' : ',') +
      (values[2 * i + 1] < 0 ? ANOMALY_HEAD : NORMAL_HEAD) +
      texts[2 * i] +
      DECISION +
      texts[2 * i + 1] +
      (extras.length === 0 ? '' : extrasJson(extras, i)) +
      (explanations === undefined ? '' : `,"explanation":${explanations[i]}`) +
      '}';
  }
  return out;
}

function extrasJson(extras: readonly ExtraJson[], row: number): string {
  let out = '';
  for (const { name, width, values } of extras) {
    const value =
      width === 1
        ? JSON.stringify(values[row])
        : JSON.stringify(Array.from(values.subarray(row * width, (row + 1) * width)));
    out += `,${JSON.stringify(name)}:${value}`;
  }
  return out;
}
