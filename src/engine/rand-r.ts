/** scikit-learn's `RAND_R_MAX` (`0x7FFFFFFF`): `RandR.next()` returns values in [0, RAND_R_MAX]. */
export const RAND_R_MAX = 0x7fffffff;

/**
 * The xorshift generator scikit-learn's tree splitters draw from (`our_rand_r` in
 * `sklearn/tree/_utils.pyx`, 1.2): a 32-bit state, replaced by 1 when it is 0, updated with
 * `s ^= s << 13; s ^= s >> 17; s ^= s << 5` and returned modulo 2^31.
 *
 * A tree seeds it with `RandomState(tree_random_state).randint(0, RAND_R_MAX)`.
 */
export class RandR {
  private state: number;

  /** @param seed the initial 32-bit state (`rand_r_state`). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next value in [0, RAND_R_MAX] (`our_rand_r`). */
  next(): number {
    let s = this.state === 0 ? 1 : this.state;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.state = s >>> 0;
    return (s >>> 0) % (RAND_R_MAX + 1);
  }

  /** An integer in [low, high) (`rand_int`: `low + our_rand_r() % (high - low)`). */
  randInt(low: number, high: number): number {
    return low + (this.next() % (high - low));
  }

  /**
   * A double in [low, high] (`rand_uniform`: `((high - low) * r / RAND_R_MAX) + low`, evaluated
   * in that order in float64; r may equal RAND_R_MAX, so `high` itself can come out).
   */
  randUniform(low: number, high: number): number {
    return ((high - low) * this.next()) / RAND_R_MAX + low;
  }
}
