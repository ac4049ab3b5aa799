import { InvalidInputError } from './errors';
import { DEFAULT_OPTIONS, type IsolationForestOptions } from './options';

const KNOWN_OPTIONS: readonly (keyof IsolationForestOptions)[] = [
  'nEstimators',
  'maxSamples',
  'maxFeatures',
  'contamination',
  'bootstrap',
  'randomState',
  'randomStateInstance',
];
const MAX_SEED = 0xffffffff;

/**
 * Fills in {@link DEFAULT_OPTIONS} and validates every option the way scikit-learn 1.2.1's
 * parameter constraints do (`n_estimators >= 1`, `contamination` 'auto' or in (0, 0.5],
 * `max_samples` 'auto' / int >= 1 / float in (0, 1], `max_features` int >= 1 / float in (0, 1],
 * `random_state` an int in [0, 2^32 - 1]). Unknown keys are rejected rather than ignored.
 * Checks that need the data (a count above the number of columns, a fraction that rounds to
 * zero rows) happen in `fitIsolationForest`.
 *
 * @returns a new frozen options object
 * @throws InvalidInputError naming the option (`details.option`) and the accepted values
 */
export function resolveOptions(
  options: Partial<IsolationForestOptions> = {},
): IsolationForestOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidInputError('options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!(KNOWN_OPTIONS as readonly string[]).includes(key)) {
      throw new InvalidInputError(
        `unknown option '${key}'; known options: ${KNOWN_OPTIONS.join(', ')}`,
        { option: key },
      );
    }
  }
  const o = { ...DEFAULT_OPTIONS, ...stripUndefined(options) };

  if (!Number.isSafeInteger(o.nEstimators) || o.nEstimators < 1) {
    throw bad('nEstimators', `an integer >= 1`, o.nEstimators);
  }
  const maxSamples = o.maxSamples;
  if (maxSamples !== 'auto') {
    if (isCount(maxSamples)) {
      if (!Number.isSafeInteger(maxSamples.count) || maxSamples.count < 1) {
        throw bad(
          'maxSamples',
          `'auto', { count: integer >= 1 } or { fraction: (0, 1] }`,
          maxSamples,
        );
      }
    } else if (isFraction(maxSamples)) {
      if (!(maxSamples.fraction > 0 && maxSamples.fraction <= 1)) {
        throw bad(
          'maxSamples',
          `'auto', { count: integer >= 1 } or { fraction: (0, 1] }`,
          maxSamples,
        );
      }
    } else {
      throw bad(
        'maxSamples',
        `'auto', { count: integer >= 1 } or { fraction: (0, 1] }`,
        maxSamples,
      );
    }
  }
  const maxFeatures = o.maxFeatures;
  if (isCount(maxFeatures)) {
    if (!Number.isSafeInteger(maxFeatures.count) || maxFeatures.count < 1) {
      throw bad('maxFeatures', `{ count: integer >= 1 } or { fraction: (0, 1] }`, maxFeatures);
    }
  } else if (isFraction(maxFeatures)) {
    if (!(maxFeatures.fraction > 0 && maxFeatures.fraction <= 1)) {
      throw bad('maxFeatures', `{ count: integer >= 1 } or { fraction: (0, 1] }`, maxFeatures);
    }
  } else {
    throw bad('maxFeatures', `{ count: integer >= 1 } or { fraction: (0, 1] }`, maxFeatures);
  }
  const c = o.contamination;
  if (c !== 'auto' && !(typeof c === 'number' && c > 0 && c <= 0.5)) {
    throw bad('contamination', `'auto' or a number in (0, 0.5]`, c);
  }
  if (typeof o.bootstrap !== 'boolean') throw bad('bootstrap', 'true or false', o.bootstrap);
  if (o.randomStateInstance !== undefined && typeof o.randomStateInstance !== 'boolean') {
    throw bad('randomStateInstance', 'true or false', o.randomStateInstance);
  }
  if (!Number.isInteger(o.randomState) || o.randomState < 0 || o.randomState > MAX_SEED) {
    throw bad(
      'randomState',
      `an integer in [0, ${MAX_SEED}] (a numpy RandomState seed)`,
      o.randomState,
    );
  }

  return Object.freeze({
    nEstimators: o.nEstimators,
    maxSamples:
      maxSamples === 'auto'
        ? 'auto'
        : Object.freeze(
            isCount(maxSamples) ? { count: maxSamples.count } : { fraction: maxSamples.fraction },
          ),
    maxFeatures: Object.freeze(
      isCount(maxFeatures) ? { count: maxFeatures.count } : { fraction: maxFeatures.fraction },
    ),
    contamination: c,
    bootstrap: o.bootstrap,
    randomState: o.randomState,
    // Only when set, so options (and artifacts' params) of int-seeded fits are unchanged.
    ...(o.randomStateInstance === true ? { randomStateInstance: true } : {}),
  });
}

function stripUndefined(o: Partial<IsolationForestOptions>): Partial<IsolationForestOptions> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function isCount(v: unknown): v is { count: number } {
  return typeof v === 'object' && v !== null && 'count' in v && !('fraction' in v);
}

function isFraction(v: unknown): v is { fraction: number } {
  return typeof v === 'object' && v !== null && 'fraction' in v && !('count' in v);
}

function bad(
  option: keyof IsolationForestOptions,
  expected: string,
  got: unknown,
): InvalidInputError {
  return new InvalidInputError(
    `The '${option}' option must be ${expected}; got ${describe(got)}.`,
    { option },
  );
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'object' && v !== null) {
    try {
      return JSON.stringify(v);
    } catch {
      return 'an unserialisable object';
    }
  }
  return String(v);
}
