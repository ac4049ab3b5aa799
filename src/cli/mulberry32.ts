/**
 * mulberry32 (Tommy Ettinger): a small, fast 32-bit generator of uniform doubles in [0, 1),
 * for deterministic data (the built-in training set, benchmark rows, test forests). Not
 * scikit-learn's generator: training draws come from the engine's `RandomState`.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
