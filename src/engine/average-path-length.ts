/**
 * c(n), the average path length of an unsuccessful search in a binary search tree of n nodes,
 * used by Isolation Forest to normalise path lengths (Liu, Ting & Zhou, "Isolation Forest",
 * ICDM 2008, eq. 1):
 *
 *     c(n) = 2 H(n - 1) - 2 (n - 1) / n,   H(i) ~ ln(i) + gamma (Euler's constant)
 *
 * with c(n) = 0 for n <= 1 and c(2) = 1, as scikit-learn's `_average_path_length` does.
 *
 * Parity: scikit-learn evaluates `2.0 * (log(n - 1.0) + gamma) - 2.0 * (n - 1.0) / n` with
 * glibc's `log`. V8's `Math.log` (an fdlibm port) differs from glibc by one ulp for some
 * arguments, which for n <= 4096 changes c(n) at the 45 values listed in
 * {@link GLIBC_CORRECTIONS} (computed with CPython's `math.log`, i.e. glibc, by
 * scripts/gen-sklearn-fixtures.py). Beyond 4096 results may differ from scikit-learn's by an ulp.
 * Note that numpy on AVX-512 machines uses its own SIMD `log`, which differs from glibc too;
 * scikit-learn is then not bit-reproducible across CPUs either.
 */

/** Euler–Mascheroni constant to full double precision (numpy's `np.euler_gamma`). */
export const EULER_GAMMA = 0.5772156649015329;

/** n -> c(n) where glibc's log gives a different double than V8's. */
const GLIBC_CORRECTIONS: ReadonlyMap<number, number> = new Map([
  [4, 1.8516559071392855],
  [49, 6.9376496781494605],
  [75, 7.789228182878072],
  [197, 9.720812932528059],
  [300, 10.561985143251105],
  [309, 10.621103387659598],
  [335, 10.782683465010198],
  [344, 10.835706177623317],
  [347, 10.853072568679321],
  [363, 10.943229395327887],
  [662, 12.144960157542691],
  [681, 12.201553783705778],
  [760, 12.421066463541695],
  [821, 12.575476063912841],
  [836, 12.611687124002383],
  [851, 12.64725420503501],
  [860, 12.668294755166924],
  [895, 12.748077517021601],
  [937, 12.839796754476499],
  [1081, 13.125714108800004],
  [1103, 13.166008545856164],
  [1191, 13.31952776313932],
  [1262, 13.435336787786788],
  [1378, 13.611207706070244],
  [1412, 13.659955664103595],
  [1460, 13.726814289862334],
  [1513, 13.798130320347454],
  [1525, 13.813930277706085],
  [1582, 13.88732122672517],
  [1597, 13.90619523397536],
  [1813, 14.1599074469692],
  [2270, 14.60950135663147],
  [2487, 14.792096055689452],
  [2503, 14.804921753007397],
  [2616, 14.893234608794995],
  [2663, 14.9288483603831],
  [2741, 14.986587389275067],
  [2767, 15.00546915873386],
  [2866, 15.075776424806955],
  [3027, 15.185085838684673],
  [3069, 15.212645332848396],
  [3186, 15.287474212206055],
  [3441, 15.441466056925636],
  [3537, 15.496499628265267],
  [3636, 15.55171016474381],
]);

/** c(n) for a leaf or sub-sample size n (an integer >= 0), bit-identical to numpy/glibc for n <= 4096. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  const corrected = GLIBC_CORRECTIONS.get(n);
  if (corrected !== undefined) return corrected;
  return 2.0 * (Math.log(n - 1.0) + EULER_GAMMA) - (2.0 * (n - 1.0)) / n;
}
