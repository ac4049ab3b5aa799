import fc from 'fast-check';
import { RequestValidationError } from '../../../src/errors';
import { validateDto, validateDtoFully } from '../../../src/validation';
import {
  isAcceptableBatchBody,
  PredictBatchRequestDto,
} from '../../../src/predict/dto/predict-batch-request.dto';
import {
  isAcceptablePredictBody,
  PredictRequestDto,
} from '../../../src/predict/dto/predict-request.dto';

function fieldsOf(type: new () => object, body: unknown, full = false): string[] {
  try {
    if (full) validateDtoFully(type, body);
    else validateDto(type, body);
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
  const ok = (v: unknown) =>
    v === null || (typeof v === 'number' && Number.isFinite(Math.fround(v)));
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
          [3, 'x'],
        ],
      }),
    ).toEqual(['data[1][1]']);
    // null is a missing value: the model decides at scoring time (a 400 if it has no support).
    expect(fieldsOf(PredictBatchRequestDto, { data: [[1, null]] })).toEqual([]);
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

  it('fast paths accept exactly what class-validator accepts (property test, both DTOs)', () => {
    const finite = fc.double({ min: -3.4e38, max: 3.4e38, noNaN: true });
    const bad = fc.constantFrom<unknown>(
      1e39,
      3.4028235677973366e38,
      Infinity,
      NaN,
      null,
      true,
      '1',
      [1],
      {},
    );
    const vector = fc.array(finite, { minLength: 1, maxLength: 4 });
    const matrix = fc.integer({ min: 1, max: 3 }).chain((cols) =>
      fc.array(fc.array(finite, { minLength: cols, maxLength: cols }), {
        minLength: 1,
        maxLength: 4,
      }),
    );
    const featureMap = fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), finite, {
      minKeys: 1,
      maxKeys: 3,
    });
    const valid = fc.oneof(
      vector.map((data) => ({ data })),
      featureMap.map((features) => ({ features })),
      matrix.map((data) => ({ data })),
      fc
        .tuple(fc.oneof(vector, matrix), fc.boolean())
        .map(([data, explain]) => ({ data, explain })),
      fc.tuple(featureMap, fc.boolean()).map(([features, explain]) => ({ explain, features })),
    );
    /** One change that may or may not break a valid body (kind 0 keeps it as it is). */
    const mutate = (b: Record<string, unknown>, kind: number, v: unknown, key: string): unknown => {
      const copy = JSON.parse(JSON.stringify(b)) as Record<string, unknown>;
      const data = copy.data as unknown[] | undefined;
      if (kind === 1) return { ...copy, [key]: v };
      if (kind === 2) {
        if (data) data[0] = v;
        else (copy.features as Record<string, unknown>)[key] = v;
      } else if (kind === 3) {
        if (data && Array.isArray(data[0])) (data[0] as unknown[]).push(v);
        else if (data) data.push([v]);
      } else if (kind === 4) {
        const proto = JSON.stringify(v) ?? 'null';
        return JSON.parse(JSON.stringify(copy).replace(/^\{/, `{"__proto__":${proto},`)) as unknown;
      } else if (kind === 5) {
        return { data: copy.data ?? [1], features: copy.features ?? { a: 1 } };
      }
      return copy;
    };
    const body = fc.oneof(
      {
        arbitrary: fc
          .tuple(
            valid,
            fc.integer({ min: 0, max: 5 }),
            bad,
            fc.constantFrom('data', 'features', 'extra', 'cpu', 'explain'),
          )
          .map(([b, kind, v, key]) => mutate(b, kind, v, key)),
        weight: 4,
      },
      { arbitrary: fc.jsonValue(), weight: 1 },
    );
    let accepted = 0;
    fc.assert(
      fc.property(body, (b) => {
        const predictFull = fieldsOf(PredictRequestDto, b, true).length === 0;
        const batchFull = fieldsOf(PredictBatchRequestDto, b, true).length === 0;
        if (predictFull || batchFull) accepted++;
        return isAcceptablePredictBody(b) === predictFull && isAcceptableBatchBody(b) === batchFull;
      }),
      { numRuns: 1000, seed: 20250101 },
    );
    // Both outcomes are well represented, so the equivalence is not vacuous.
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(950);
  });

  it('fast paths handle the bodies a gateway actually sends', () => {
    expect(isAcceptablePredictBody({ data: [-5.5, 5.2] })).toBe(true);
    expect(isAcceptablePredictBody({ features: { cpu_usage: 1, memory_load: 2 } })).toBe(true);
    expect(
      isAcceptableBatchBody({
        data: [
          [-5.5, 5.2],
          [2.1, 2.1],
        ],
      }),
    ).toBe(true);
    expect(isAcceptablePredictBody(JSON.parse('{"__proto__": 1, "data": [1]}'))).toBe(false);
    expect(isAcceptablePredictBody({ data: [1], features: { a: 1 } })).toBe(false);
    expect(isAcceptableBatchBody({ data: [[1, 2], [1]] })).toBe(false);
    expect(isAcceptablePredictBody({ data: [-5.5, 5.2], explain: true })).toBe(true);
    expect(isAcceptableBatchBody({ data: [[-5.5, 5.2]], explain: false })).toBe(true);
    expect(isAcceptablePredictBody({ data: [-5.5, 5.2], explain: 'true' })).toBe(false);
    expect(isAcceptablePredictBody({ explain: true })).toBe(false);
  });
});
