import { parseArgs } from 'node:util';
import { usageError } from './cli-error';

/** Declaration of the flags a CLI accepts: `string` flags take a value, `boolean` ones do not. */
export type FlagSpec = Readonly<Record<string, 'string' | 'boolean'>>;

/** Parsed flag values: strings for `string` flags, booleans for `boolean` ones. */
export type FlagValues<S extends FlagSpec> = {
  readonly [K in keyof S]?: S[K] extends 'string' ? string : boolean;
};

/**
 * Parses `--flag value`, `--flag=value` and `--switch` (node:util parseArgs, strict). Unknown
 * flags, missing values and positional arguments are usage errors (exit 2).
 */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): FlagValues<S> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, type] of Object.entries(spec)) options[name] = { type };
  try {
    const { values } = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: false,
    });
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'string' && value.length === 0) {
        throw usageError(`--${name} needs a value`);
      }
    }
    return values as FlagValues<S>;
  } catch (e) {
    // Shape checks, not instanceof: node's errors come from another realm under test runners.
    const err = e as { code?: unknown; message?: unknown };
    if (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) {
      throw usageError(String(err.message).split('\n')[0]);
    }
    throw e;
  }
}

/** Splits `--features a,b,c` into names: trimmed, non-empty, no repeats. */
export function parseFeatureList(value: string): string[] {
  const names = value.split(',').map((n) => n.trim());
  if (names.some((n) => n.length === 0)) {
    throw usageError(`--features has an empty name in ${JSON.stringify(value)}`);
  }
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) {
    throw usageError(`--features names ${JSON.stringify(repeated)} twice`);
  }
  return names;
}
