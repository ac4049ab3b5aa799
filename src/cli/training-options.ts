import type { CountSpec, FractionSpec, IsolationForestOptions } from '../engine/options';
import { usageError } from './cli-error';

/** The train CLI's seed when `--random-state` is not given, so the default model is reproducible. */
export const DEFAULT_RANDOM_STATE = 42;

const INTEGER = /^\d+$/;
const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Raw flag values of the train CLI (strings as typed, undefined when absent). */
export interface TrainingFlags {
  readonly 'n-estimators'?: string;
  readonly 'max-samples'?: string;
  readonly 'max-features'?: string;
  readonly contamination?: string;
  readonly bootstrap?: boolean;
  readonly 'random-state'?: string;
}

/**
 * Maps the train CLI's flags to engine options, with scikit-learn's reading of numbers: a value
 * written with a decimal point or an exponent is a fraction (`1.0` = all), digits only are a
 * count (`1` = one). Unset flags take scikit-learn's defaults, except the seed (42).
 *
 * @throws CliError (usage, exit 2) naming the flag and the accepted values.
 */
export function parseTrainingOptions(flags: TrainingFlags): IsolationForestOptions {
  return {
    nEstimators:
      flags['n-estimators'] === undefined ? 100 : count('--n-estimators', flags['n-estimators']),
    maxSamples:
      flags['max-samples'] === undefined || flags['max-samples'] === 'auto'
        ? 'auto'
        : countOrFraction('--max-samples', flags['max-samples'], 'auto, '),
    maxFeatures:
      flags['max-features'] === undefined
        ? { fraction: 1.0 }
        : countOrFraction('--max-features', flags['max-features'], ''),
    contamination:
      flags.contamination === undefined || flags.contamination === 'auto'
        ? 'auto'
        : contamination(flags.contamination),
    bootstrap: flags.bootstrap ?? false,
    randomState:
      flags['random-state'] === undefined ? DEFAULT_RANDOM_STATE : seed(flags['random-state']),
  };
}

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!INTEGER.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 2147483647) {
    throw usageError(`${flag} must be a whole number >= 1, got ${JSON.stringify(value)}`);
  }
  return n;
}

function countOrFraction(flag: string, value: string, auto: string): CountSpec | FractionSpec {
  if (INTEGER.test(value)) return { count: count(flag, value) };
  const f = Number(value);
  if (!NUMBER.test(value) || !(f > 0 && f <= 1)) {
    throw usageError(
      `${flag} must be ${auto}a count (digits, e.g. 256) or a fraction in (0, 1] written with a ` +
        `decimal point (e.g. 0.5, 1.0), got ${JSON.stringify(value)}`,
    );
  }
  return { fraction: f };
}

function contamination(value: string): number {
  const f = Number(value);
  if (!NUMBER.test(value) || !(f > 0 && f <= 0.5)) {
    throw usageError(
      `--contamination must be auto or a number in (0, 0.5], got ${JSON.stringify(value)}`,
    );
  }
  return f;
}

function seed(value: string): number {
  const n = Number(value);
  if (!INTEGER.test(value) || !(n <= 4294967295)) {
    throw usageError(
      `--random-state must be an integer in [0, 4294967295], got ${JSON.stringify(value)}`,
    );
  }
  return n;
}
