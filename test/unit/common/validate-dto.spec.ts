import fc from 'fast-check';
import { RequestValidationError } from '../../../src/common/errors';
import { validateDto } from '../../../src/common/validation';
import { PredictBatchRequestDto } from '../../../src/predict/dto/predict-batch-request.dto';
import { PredictRequestDto } from '../../../src/predict/dto/predict-request.dto';

function fieldsOf(type: new () => object, body: unknown): string[] {
  try {
    validateDto(type, body);
  } catch (err) {
    expect(err).toBeInstanceOf(RequestValidationError);
    return (err as RequestValidationError).errors.map((e) => e.field);
  }
  return [];
}

/** An independent statement of the /predict body rules, to check the DTO against. */
function isValidPredictBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  if (keys.some((k) => k !== 'data' && k !== 'features')) return false;
  const b = body as { data?: unknown; features?: unknown };
  if ((b.data === undefined) === (b.features === undefined)) return false;
  const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(Math.fround(v));
  if (b.data !== undefined) return Array.isArray(b.data) && b.data.length > 0 && b.data.every(ok);
  const f = b.features;
  return (
    f !== null &&
    typeof f === 'object' &&
    !Array.isArray(f) &&
    Object.keys(f).length > 0 &&
    Object.values(f).every(ok)
  );
}

describe('validateDto with the predict DTOs (class-validator constraints)', () => {
  it('returns a DTO instance for valid bodies', () => {
    const dto = validateDto(PredictRequestDto, { data: [-5.5, 5.2] });
    expect(dto).toBeInstanceOf(PredictRequestDto);
    expect(dto.data).toEqual([-5.5, 5.2]);
    expect(validateDto(PredictRequestDto, { features: { a: 1 } }).features).toEqual({ a: 1 });
    expect(validateDto(PredictBatchRequestDto, { data: [[1, 2]] }).data).toEqual([[1, 2]]);
  });

  it('names the offending field', () => {
    expect(fieldsOf(PredictRequestDto, {})).toEqual(['data']);
    expect(fieldsOf(PredictRequestDto, { data: [1], features: { a: 1 } })).toEqual(['features']);
    expect(fieldsOf(PredictRequestDto, { data: [1, 'x'] })).toEqual(['data[1]']);
    expect(fieldsOf(PredictRequestDto, { data: [1], x: 1, y: 2 })).toEqual(['x', 'y']);
    expect(
      fieldsOf(PredictBatchRequestDto, {
        data: [
          [1, 2],
          [3, null],
        ],
      }),
    ).toEqual(['data[1][1]']);
    expect(fieldsOf(PredictBatchRequestDto, 'rows')).toEqual(['body']);
  });

  it('refuses Object.prototype member names that class-validator would let through', () => {
    for (const key of [
      '__proto__',
      'constructor',
      'hasOwnProperty',
      '__defineGetter__',
      'toString',
    ]) {
      const body = JSON.parse(`{"${key}": 1, "data": [1, 2]}`) as unknown;
      expect([key, fieldsOf(PredictRequestDto, body)]).toEqual([key, [key]]);
    }
    const polluted = JSON.parse('{"__proto__": {"polluted": true}, "data": [1]}') as unknown;
    expect(() => validateDto(PredictRequestDto, polluted)).toThrow(RequestValidationError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('agrees with an independent statement of the rules on arbitrary JSON (property test)', () => {
    const value = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.constantFrom(1e39, -1e39, 3.4e38, Infinity, NaN, null, true, 'x'),
      fc.array(fc.double(), { maxLength: 3 }),
    );
    const body = fc.oneof(
      fc.record({ data: fc.array(value, { maxLength: 4 }) }, { requiredKeys: [] }),
      fc.record(
        { features: fc.dictionary(fc.string({ maxLength: 3 }), value, { maxKeys: 3 }) },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          data: fc.array(value, { maxLength: 3 }),
          features: fc.dictionary(fc.string(), value, { maxKeys: 2 }),
          extra: value,
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(body, (b) => {
        const accepted = fieldsOf(PredictRequestDto, b).length === 0;
        return accepted === isValidPredictBody(b);
      }),
      { numRuns: 500 },
    );
  });
});
