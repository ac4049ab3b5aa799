import { InvalidInputError } from './errors';

/** MT19937 state size (numpy's `RK_STATE_LEN`). */
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** Largest seed numpy's legacy seeding accepts. */
const MAX_SEED = 0xffffffff;

/**
 * A port of numpy's legacy `numpy.random.RandomState` (MT19937, numpy 1.17+ "legacy" stream, as
 * in numpy 1.24), limited to what scikit-learn's IsolationForest draws, so that the same integer
 * seed gives the same numbers as Python:
 *
 * - seeding: `mt19937_seed` (Knuth's `init_genrand`) for integer seeds in [0, 2^32 - 1];
 * - `randint(low, high)`: masked rejection sampling on 32-bit outputs (numpy's
 *   `random_bounded_uint64_fill` with `use_masked=True`), ranges up to 2^32;
 * - `uniform` / `randomSample`: `((a >> 5) * 2^26 + (b >> 6)) / 2^53` from two 32-bit outputs;
 * - `permutation` / `shuffle`: the legacy Fisher–Yates `for i = n-1..1: j = random_interval(i)`;
 * - `standardNormal`: the legacy polar Box–Muller `legacy_gauss` with its cached second value.
 *   It calls `Math.log`, which may differ from glibc's `log` by one ulp for rare arguments, so
 *   normal draws are reproducible only up to that (uniform and integer draws are exact).
 *
 * Not thread-safe, not cryptographic; never seeded from entropy.
 */
export class RandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gauss = 0;

  /** @param seed integer in [0, 2^32 - 1], as `numpy.random.RandomState(seed)` accepts. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new InvalidInputError(
        `random seed must be an integer in [0, ${MAX_SEED}] (numpy RandomState), got ${seed}`,
        { option: 'randomState' },
      );
    }
    const key = this.key;
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      key[i] = s;
      // 1812433253 * (s ^ (s >>> 30)) + i + 1, modulo 2^32.
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
    this.pos = N;
  }

  /** Regenerates the 624-word block (`mt19937_gen`). */
  private generate(): void {
    const key = this.key;
    let i = 0;
    let y: number;
    for (; i < N - M; i++) {
      y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
      key[i] = key[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; i < N - 1; i++) {
      y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
      key[i] = key[i + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    y = (key[N - 1] & UPPER_MASK) | (key[0] & LOWER_MASK);
    key[N - 1] = key[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    this.pos = 0;
  }

  /** The next raw 32-bit output (`mt19937_next`), as an unsigned integer. */
  randomUint32(): number {
    if (this.pos === N) this.generate();
    return temper(this.key[this.pos++]);
  }

  /**
   * The next `count` outputs *before tempering*, advancing the stream as `count` calls of
   * `randomUint32` would. Output k is `temper(words[k])`; with {@link doubleFromWords} this
   * lets a caller turn only the draws it needs into doubles.
   */
  untemperedWords(count: number): Uint32Array {
    const out = new Uint32Array(count);
    let at = 0;
    while (at < count) {
      if (this.pos === N) this.generate();
      const take = Math.min(N - this.pos, count - at);
      out.set(this.key.subarray(this.pos, this.pos + take), at);
      this.pos += take;
      at += take;
    }
    return out;
  }

  /**
   * `RandomState(seed).randint(high)` for a fresh generator, without seeding all 624 words
   * when the first output is accepted (it depends only on words 0, 1 and 397); falls back to
   * the full generator otherwise. Same result as the long way, always.
   */
  static firstRandint(seed: number, high: number): number {
    const rng = checkRange(0, high);
    if (rng === 0 || rng === 0xffffffff || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      return new RandomState(seed).randint(high);
    }
    let s = seed >>> 0;
    const k0 = s;
    let k1 = 0;
    for (let i = 0; i < M; i++) {
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
      if (i === 0) k1 = s;
    }
    // s is now word M; the twist of word 0 gives the first output.
    const y = (k0 & UPPER_MASK) | (k1 & LOWER_MASK);
    const v = (temper(s ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A)) & maskFor(rng)) >>> 0;
    return v <= rng ? v : new RandomState(seed).randint(high);
  }

  /** A double in [0, 1) with 53 random bits (`random_sample`, `mt19937_next_double`). */
  randomSample(): number {
    const a = this.randomUint32() >>> 5;
    const b = this.randomUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `uniform(low, high)`: `low + (high - low) * random_sample()`. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.randomSample();
  }

  /** `uniform(low, high, size)` into a new (or the given) Float64Array, in draw order. */
  uniformArray(size: number, low = 0, high = 1, out?: Float64Array): Float64Array {
    const result = out ?? new Float64Array(size);
    const range = high - low;
    for (let i = 0; i < size; i++) result[i] = low + range * this.randomSample();
    return result;
  }

  /**
   * `randint(low, high)`: an integer in [low, high), or [0, low) when `high` is omitted, exactly
   * as numpy's legacy `RandomState.randint` with the default int64 dtype draws it. A range of
   * one value consumes no random numbers (numpy returns `low` directly).
   */
  randint(low: number, high?: number): number {
    const lo = high === undefined ? 0 : low;
    const hi = high === undefined ? low : high;
    const rng = checkRange(lo, hi);
    return lo + this.boundedMasked(rng, maskFor(rng));
  }

  /** `randint(low, high, size)`: `size` draws in order, into an Int32Array (bounds must fit int32). */
  randintArray(low: number, high: number, size: number): Int32Array {
    const rng = checkRange(low, high);
    if (high - 1 > 0x7fffffff || low < -0x80000000) {
      throw new RangeError(`randintArray: [${low}, ${high}) does not fit int32`);
    }
    const out = new Int32Array(size);
    const mask = maskFor(rng);
    for (let i = 0; i < size; i++) out[i] = low + this.boundedMasked(rng, mask);
    return out;
  }

  /** Uniform integer in [0, rng] by masked rejection (`buffered_bounded_masked_uint32`). */
  private boundedMasked(rng: number, mask: number): number {
    if (rng === 0) return 0;
    if (rng === 0xffffffff) return this.randomUint32();
    let v: number;
    do {
      v = (this.randomUint32() & mask) >>> 0;
    } while (v > rng);
    return v;
  }

  /**
   * Legacy `shuffle` of the first `n` entries of `a` in place:
   * `for i = n-1 .. 1: j = random_interval(i); swap(a[i], a[j])`.
   */
  shuffle(a: Int32Array | Float64Array, n = a.length): void {
    for (let i = n - 1; i >= 1; i--) {
      const j = this.interval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Legacy `permutation(n)`: a shuffled `arange(n)`. */
  permutation(n: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    this.shuffle(a, n);
    return a;
  }

  /** Uniform integer in [0, max] (`random_interval`), for max < 2^32. */
  private interval(max: number): number {
    if (max === 0) return 0;
    const mask = maskFor(max);
    let v: number;
    do {
      v = (this.randomUint32() & mask) >>> 0;
    } while (v > max);
    return v;
  }

  /** One standard normal draw (`legacy_gauss`, polar Box–Muller, second value cached). */
  standardNormal(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const g = this.gauss;
      this.gauss = 0;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2.0 * this.randomSample() - 1.0;
      x2 = 2.0 * this.randomSample() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt((-2.0 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }
}

/** MT19937 tempering of one state word. */
function temper(word: number): number {
  let y = word;
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >>> 18;
  return y >>> 0;
}

/**
 * `random_sample()` from two consecutive untempered words (see `untemperedWords`):
 * `((a >> 5) * 2^26 + (b >> 6)) / 2^53`.
 */
export function doubleFromWords(words: Uint32Array, at: number): number {
  const a = temper(words[at]) >>> 5;
  const b = temper(words[at + 1]) >>> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

/** Validates an integer range [low, high) of at most 2^32 values; returns `high - 1 - low`. */
function checkRange(low: number, high: number): number {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new RangeError(`randint bounds must be integers, got [${low}, ${high})`);
  }
  if (high <= low) throw new RangeError(`randint: low >= high (${low} >= ${high})`);
  const rng = high - 1 - low;
  if (rng > 0xffffffff) throw new RangeError(`randint: range ${rng + 1} exceeds 2^32`);
  return rng;
}

/** Smallest 2^k - 1 >= rng (numpy's `gen_mask`), for rng < 2^32. */
function maskFor(rng: number): number {
  let m = rng >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m >>> 0;
}
