import fc from 'fast-check';
import { BATCH_JSON_TAIL, batchJsonHead, predictionsJson } from '../../../src/predict/batch-json';
import type {
  PredictBatchResponseDto,
  RowPredictionDto,
} from '../../../src/predict/dto/predict-response.dto';

/** The response as the service built it before: objects, then `JSON.stringify`. */
function viaObjects(version: string, scores: Float64Array, offset: number): string {
  const predictions: RowPredictionDto[] = Array.from(scores, (score) => {
    const decision = score - offset;
    const isAnomaly = decision < 0;
    return {
      prediction_score: isAnomaly ? -1 : 1,
      is_anomaly: isAnomaly,
      anomaly_score: -score,
      decision_function: decision,
    };
  });
  const response: PredictBatchResponseDto = { model_version: version, predictions };
  return JSON.stringify(response);
}

function direct(version: string, scores: Float64Array, offset: number): string {
  return batchJsonHead(version) + predictionsJson(scores, offset) + BATCH_JSON_TAIL;
}

describe('batch response JSON', () => {
  it('is byte for byte JSON.stringify of the response objects (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (version, values, offset) => {
          const scores = Float64Array.from(values);
          expect(direct(version, scores, offset)).toBe(viaObjects(version, scores, offset));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('matches on the values scores really take, and on the edge cases', () => {
    const scores = Float64Array.from([
      -0.5,
      -0.4222754782749684,
      -1,
      -0,
      0,
      -Number.MIN_VALUE,
      -1e-300,
      -0.9999999999999999,
    ]);
    for (const offset of [-0.5, -0.4222754782749684, 0, -1e21, 1e21]) {
      expect(direct('if-20250101T000000Z-3f2a9c1d', scores, offset)).toBe(
        viaObjects('if-20250101T000000Z-3f2a9c1d', scores, offset),
      );
    }
  });

  it('chunks join with a comma into one valid response', () => {
    const scores = Float64Array.from({ length: 7 }, (_, i) => -0.3 - i / 20);
    const text =
      batchJsonHead('v"1') +
      predictionsJson(scores.subarray(0, 3), -0.5) +
      ',' +
      predictionsJson(scores.subarray(3), -0.5) +
      BATCH_JSON_TAIL;
    expect(text).toBe(viaObjects('v"1', scores, -0.5));
    expect((JSON.parse(text) as PredictBatchResponseDto).predictions).toHaveLength(7);
  });
});
