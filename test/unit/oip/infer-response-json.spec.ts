import fc from 'fast-check';
import type { ServingModel } from '../../../src/model/serving-model';
import { inferResponseJson, type InferResponseHead } from '../../../src/oip/infer-response-json';
import type { OipInferenceResponseDto, OipResponseOutputDto } from '../../../src/oip/oip.dto';
import type { ExtraValues, ScoredRows } from '../../../src/scoring/scored-rows';

/** The response as the service built it before: objects and number arrays, then `JSON.stringify`. */
function viaObjects(
  head: InferResponseHead,
  scored: ScoredRows,
  outputs: readonly string[],
): string {
  const { scores } = scored;
  const n = scores.length;
  const offset = scored.model.artifact.offset;
  const tensor = (name: string): OipResponseOutputDto => {
    switch (name) {
      case 'predict':
        return {
          name,
          shape: [n],
          datatype: 'INT64',
          data: Array.from(scores, (s) => (s - offset < 0 ? -1 : 1)),
        };
      case 'score_samples':
        return { name, shape: [n], datatype: 'FP64', data: Array.from(scores) };
      case 'decision_function':
        return { name, shape: [n], datatype: 'FP64', data: Array.from(scores, (s) => s - offset) };
      case 'anomaly_score':
        return { name, shape: [n], datatype: 'FP64', data: Array.from(scores, (s) => -s) };
      default: {
        const { width, values } = scored.extras.get(name)!;
        return {
          name,
          shape: width === 1 ? [n] : [n, width],
          datatype: 'FP64',
          data: Array.from(values),
        };
      }
    }
  };
  const response: OipInferenceResponseDto = {
    model_name: head.modelName,
    model_version: head.modelVersion,
    ...(head.id === undefined ? {} : { id: head.id }),
    parameters: { artifact_version: head.artifactVersion },
    outputs: outputs.map(tensor),
  };
  return JSON.stringify(response);
}

function scoredRows(
  scores: number[],
  offset: number,
  extras: Map<string, ExtraValues>,
): ScoredRows {
  const model = { artifact: { offset } } as unknown as ServingModel;
  return {
    model,
    source: 'oip',
    x: { data: new Float64Array(0), rows: scores.length, cols: 0 },
    scores: Float64Array.from(scores),
    extras,
  };
}

const BASE = ['predict', 'score_samples', 'decision_function', 'anomaly_score'];
/** Any double, NaN, infinities and -0 included: extras may hold NaN, JSON writes it as null. */
const anyDouble = fc.double();

describe('OIP inference response JSON', () => {
  it('is byte for byte JSON.stringify of the response objects (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          modelName: fc.string({ unit: 'binary' }),
          modelVersion: fc.string(),
          id: fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
          artifactVersion: fc.string({ unit: 'binary' }),
        }),
        fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(anyDouble, { minLength: 120, maxLength: 120 }),
        fc.shuffledSubarray([...BASE, 'wide', 'narrow']),
        (head, scores, offset, width, pool, outputs) => {
          const n = scores.length;
          const extras = new Map<string, ExtraValues>([
            ['wide', { width, values: Float64Array.from(pool.slice(0, n * width)) }],
            ['narrow', { width: 1, values: Float64Array.from(pool.slice(0, n)) }],
          ]);
          const scored = scoredRows(scores, offset, extras);
          expect(inferResponseJson(head, scored, outputs)).toBe(viaObjects(head, scored, outputs));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes the edge cases as JSON does: -0, NaN and infinities, exponents, a decision of 0', () => {
    const scores = [-0.5, -0, -1e-7, -1.5e21, Number.MIN_VALUE, -0.4222754782749684];
    const extras = new Map<string, ExtraValues>([
      [
        'x',
        {
          width: 2,
          values: Float64Array.from([
            NaN,
            Infinity,
            -Infinity,
            -0,
            1e21,
            5e-324,
            0.1,
            2,
            3,
            4,
            5,
            6,
          ]),
        },
      ],
    ]);
    const scored = scoredRows(scores, -0.5, extras);
    const head = {
      modelName: 'a"\\\u2028',
      modelVersion: '7',
      id: '\u0000',
      artifactVersion: 'sha',
    };
    const text = inferResponseJson(head, scored, [...BASE, 'x']);
    expect(text).toBe(viaObjects(head, scored, [...BASE, 'x']));
    const parsed = JSON.parse(text) as OipInferenceResponseDto;
    // decision_function of -0.5 with offset -0.5 is 0: not below 0, so an inlier, as sklearn says.
    expect(parsed.outputs[0].data[0]).toBe(1);
    expect(parsed.outputs[4].data.slice(0, 3)).toEqual([null, null, null]);
  });

  it('refuses an output that was not computed rather than write a wrong tensor', () => {
    const scored = scoredRows([-0.4], -0.5, new Map());
    const head = { modelName: 'm', modelVersion: '1', id: undefined, artifactVersion: 'v' };
    expect(() => inferResponseJson(head, scored, ['shap_values'])).toThrow(/not computed/);
  });
});
