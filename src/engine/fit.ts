import { TreeBuilder } from './build-tree';
import { InvalidInputError } from './errors';
import type { FlatForest } from './forest';
import { fittedMaxFeatures, fittedMaxSamples } from './fitted-sizes';
import { assertFiniteMatrix, type DenseMatrix } from './matrix';
import type { IsolationForestModel } from './model';
import type { IsolationForestOptions } from './options';
import { percentile } from './percentile';
import { RAND_R_MAX } from './rand-r';
import { doubleFromWords, RandomState } from './random-state';
import { resolveOptions } from './resolve-options';
import { sampleWithoutReplacement } from './sample-without-replacement';
import { scoreSamples } from './score';

/** `np.iinfo(np.int32).max`: the bound scikit-learn draws bagging and tree seeds below. */
const MAX_INT = 0x7fffffff;

/**
 * Fits an Isolation Forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008): an ensemble of
 * isolation trees, each grown on a random sub-sample of ψ rows with random axis-parallel splits
 * until every sample is isolated or the height limit ceil(log2 ψ) is reached.
 *
 * Training parity: for the same data and integer `randomState`, the trees are identical to
 * scikit-learn 1.2.1's `IsolationForest(random_state=seed).fit(X)` (children, features,
 * thresholds bit for bit, `n_node_samples`, `estimators_features_`), because every step draws
 * from the same generators in the same order:
 *
 * 1. X is validated (finite, representable as float32) and used as float32, like sklearn's
 *    `_validate_data(dtype=np.float32)`.
 * 2. `y = RandomState(seed).uniform(size=n)`: dummy regression targets, relevant only through
 *    the criterion's "impurity <= DBL_EPSILON" leaf test (only drawn rows' values are computed).
 * 3. `max_samples_`: 'auto' → min(256, n); a count above n is clipped to n with a warning
 *    (returned in `model.warnings`, never logged); a fraction → floor(fraction · n).
 *    `max_depth = ceil(log2(max(max_samples_, 2)))`. `max_features`: a count as is, a fraction
 *    → floor(fraction · d), then at least 1.
 * 4. A fresh `RandomState(seed)` draws the bagging seeds `randint(2^31 - 1, size=nEstimators)`.
 *    For tree i: its splitter seed is `RandomState(seed_i).randint(2^31 - 1)`; a fresh
 *    `RandomState(seed_i)` draws the columns (`sample_without_replacement(d, max_features)`)
 *    and then the rows (`randint(0, n, max_samples_)` with bootstrap, else
 *    `sample_without_replacement(n, max_samples_)`).
 * 5. scikit-learn fits each tree on all n rows with sample weights (0 for rows not drawn, the
 *    draw count with bootstrap, so a row drawn k times is one sample of weight k). Only rows
 *    with non-zero weight take part, in row order; so here only those rows are gathered
 *    (float32, column-major, the tree's columns only) into a reused scratch buffer.
 * 6. Each tree is grown by {@link TreeBuilder} (scikit-learn's `ExtraTreeRegressor` with the
 *    random splitter, `max_features=1`), seeded with
 *    `RandomState(tree_seed).randint(0, 0x7FFFFFFF)`.
 * 7. `offset`: -0.5 for contamination 'auto', else numpy's 'linear' percentile of the
 *    training `score_samples` at `100 · contamination`.
 *
 * Known deviation: `offset` for a numeric contamination is computed from this engine's scores,
 * which may differ from scikit-learn's by a few ulp (V8's `Math.pow`; see docs/algorithm.md).
 * scikit-learn crashes on a `maxSamples` fraction that rounds to zero rows; this rejects it.
 *
 * @param x training rows (not modified, not retained)
 * @param options partial options; see {@link IsolationForestOptions} for defaults
 * @returns a frozen model (the forest's typed arrays cannot be frozen in JavaScript; nothing
 *   writes to them after fitting)
 * @throws InvalidInputError for invalid data or options, with scikit-learn's wording
 */
export function fitIsolationForest(
  x: DenseMatrix,
  options?: Partial<IsolationForestOptions>,
): IsolationForestModel {
  const opts = resolveOptions(options);
  assertTrainingMatrix(x);
  assertFiniteMatrix(x);
  const n = x.rows;
  const d = x.cols;
  const warnings: string[] = [];

  const maxSamples = resolveMaxSamples(opts, n, warnings);
  const maxFeatures = resolveMaxFeatures(opts, d);
  const maxDepth = maxSamples <= 2 ? 1 : 32 - Math.clz32(maxSamples - 1);

  // y = RandomState(seed).uniform(size=n): only the drawn rows' values are ever read, so keep
  // the raw stream and convert on demand (y[i] comes from words 2i and 2i + 1).
  const yWords = new RandomState(opts.randomState).untemperedWords(2 * n);
  const seeds = new RandomState(opts.randomState).randintArray(0, MAX_INT, opts.nEstimators);

  const nEstimators = opts.nEstimators;
  const treeFeatures = new Int32Array(nEstimators * maxFeatures);
  const nodes = new NodeAccumulator(
    nEstimators,
    Math.min(2 * maxSamples - 1, 2 ** (maxDepth + 1) - 1),
  );
  const builder = new TreeBuilder();
  const gather = new SampleGatherer(n, maxSamples, maxFeatures);
  const marks = maxSamples / n <= 0.01 ? new Uint8Array(n) : undefined;

  for (let t = 0; t < nEstimators; t++) {
    const seed = seeds[t];
    const treeSeed = RandomState.firstRandint(seed, MAX_INT);
    const rs = new RandomState(seed);
    const features = sampleWithoutReplacement(d, maxFeatures, rs);
    const indices = opts.bootstrap
      ? rs.randintArray(0, n, maxSamples)
      : sampleWithoutReplacement(n, maxSamples, rs, marks);
    treeFeatures.set(features, t * maxFeatures);

    const sample = gather.gather(x, features, indices, yWords);
    const randRSeed = RandomState.firstRandint(treeSeed, RAND_R_MAX);
    builder.build(sample, { maxDepth, maxFeatures: 1, randRSeed });
    nodes.append(builder);
  }

  const forest: FlatForest = Object.freeze({
    nEstimators,
    nFeatures: d,
    maxSamples,
    maxFeatures,
    treeFeatures,
    ...nodes.finish(),
  });

  let offset = -0.5;
  if (opts.contamination !== 'auto') {
    offset = percentile(scoreSamples(forest, x), 100.0 * opts.contamination);
  }

  return Object.freeze({
    forest,
    offset,
    options: opts,
    nSamples: n,
    warnings: Object.freeze(warnings),
  });
}

/** scikit-learn's `check_array` minimums, with its wording. */
function assertTrainingMatrix(x: DenseMatrix): void {
  if (x.rows === 0) {
    throw new InvalidInputError(
      `Found array with 0 sample(s) (shape=(0, ${x.cols})) while a minimum of 1 is required by IsolationForest.`,
    );
  }
  if (x.cols === 0) {
    throw new InvalidInputError(
      `Found array with 0 feature(s) (shape=(${x.rows}, 0)) while a minimum of 1 is required by IsolationForest.`,
    );
  }
}

/** `max_samples_` for n rows (IsolationForest.fit), with its warning and its error. */
function resolveMaxSamples(opts: IsolationForestOptions, n: number, warnings: string[]): number {
  const spec = opts.maxSamples;
  const k = fittedMaxSamples(spec, n);
  if (spec !== 'auto' && 'count' in spec && spec.count > n) {
    warnings.push(
      `max_samples (${spec.count}) is greater than the total number of samples (${n}). max_samples will be set to n_samples for estimation.`,
    );
  }
  if (k < 1) {
    const fraction = spec !== 'auto' && 'fraction' in spec ? spec.fraction : NaN;
    throw new InvalidInputError(
      `The 'maxSamples' fraction ${fraction} of ${n} rows is ${k} rows; it must give at least 1 row (max_samples must be in (0, n_samples]).`,
      { option: 'maxSamples' },
    );
  }
  return k;
}

/** `_max_features` for d columns (BaseBagging._fit). */
function resolveMaxFeatures(opts: IsolationForestOptions, d: number): number {
  const k = fittedMaxFeatures(opts.maxFeatures, d);
  if (k > d) {
    throw new InvalidInputError(
      `The 'maxFeatures' count ${k} exceeds the ${d} columns of X (max_features must be <= n_features).`,
      { option: 'maxFeatures' },
    );
  }
  return k;
}

/**
 * Turns one tree's drawn row indices into the builder's compact sample: distinct rows in
 * ascending order, their draw counts as weights, their `y`, and their values in the tree's
 * columns as float32, column-major. All buffers are reused across trees.
 */
class SampleGatherer {
  private readonly rows: Int32Array;
  private readonly x32: Float32Array;
  private readonly ys: Float64Array;
  private readonly ws: Float64Array;
  /** Per-row draw counts for the counting path (kept all-zero between trees). */
  private counts: Int32Array | null = null;

  constructor(
    private readonly n: number,
    maxSamples: number,
    private readonly nCols: number,
  ) {
    this.rows = new Int32Array(maxSamples);
    this.x32 = new Float32Array(maxSamples * nCols);
    this.ys = new Float64Array(maxSamples);
    this.ws = new Float64Array(maxSamples);
  }

  gather(x: DenseMatrix, features: Int32Array, indices: Int32Array, yWords: Uint32Array) {
    const k = indices.length;
    const rows = this.rows;
    const ws = this.ws;
    let m = 0;
    if (k * 16 < this.n) {
      // Few draws: sort them (k log k) rather than scan all n rows.
      const sorted = indices.slice().sort();
      for (let i = 0; i < k; i++) {
        const r = sorted[i];
        if (m > 0 && rows[m - 1] === r) {
          ws[m - 1] += 1;
        } else {
          rows[m] = r;
          ws[m] = 1;
          m++;
        }
      }
    } else {
      const counts = (this.counts ??= new Int32Array(this.n));
      for (let i = 0; i < k; i++) counts[indices[i]]++;
      for (let r = 0; r < this.n; r++) {
        const c = counts[r];
        if (c !== 0) {
          rows[m] = r;
          ws[m] = c;
          m++;
          counts[r] = 0;
        }
      }
    }
    const cols = x.cols;
    const data = x.data;
    const x32 = this.x32;
    const ys = this.ys;
    const q = this.nCols;
    // Row by row (each source row is read once, sequentially); Float32Array stores round to
    // nearest even, as numpy's astype(float32).
    for (let i = 0; i < m; i++) {
      const r = rows[i];
      const src = r * cols;
      ys[i] = doubleFromWords(yWords, 2 * r);
      for (let c = 0; c < q; c++) x32[c * m + i] = data[src + features[c]];
    }
    return { x: x32, nRows: m, nCols: this.nCols, y: ys, weight: ws, weightedNSamples: k };
  }
}

/** Concatenates the trees' node arrays, growing geometrically. */
class NodeAccumulator {
  private size = 0;
  private readonly offsets: Int32Array;
  private left: Int32Array;
  private right: Int32Array;
  private feature: Int32Array;
  private threshold: Float64Array;
  private nNodeSamples: Int32Array;
  private weightedNNodeSamples: Float64Array;
  private trees = 0;

  constructor(nTrees: number, perTreeBound: number) {
    // Start from a typical size (trees of ψ samples rarely reach their bound) and grow.
    const initial = Math.max(16, Math.min(nTrees * perTreeBound, nTrees * 1024));
    this.offsets = new Int32Array(nTrees + 1);
    this.left = new Int32Array(initial);
    this.right = new Int32Array(initial);
    this.feature = new Int32Array(initial);
    this.threshold = new Float64Array(initial);
    this.nNodeSamples = new Int32Array(initial);
    this.weightedNNodeSamples = new Float64Array(initial);
  }

  append(b: TreeBuilder): void {
    const count = b.nodeCount;
    const need = this.size + count;
    if (need > this.left.length) this.grow(Math.max(need, this.left.length * 2));
    const at = this.size;
    this.left.set(b.childrenLeft.subarray(0, count), at);
    this.right.set(b.childrenRight.subarray(0, count), at);
    this.feature.set(b.feature.subarray(0, count), at);
    this.threshold.set(b.threshold.subarray(0, count), at);
    this.nNodeSamples.set(b.nNodeSamples.subarray(0, count), at);
    this.weightedNNodeSamples.set(b.weightedNNodeSamples.subarray(0, count), at);
    this.size = need;
    this.offsets[++this.trees] = need;
  }

  private grow(capacity: number): void {
    const grow32 = (a: Int32Array) => {
      const g = new Int32Array(capacity);
      g.set(a.subarray(0, this.size));
      return g;
    };
    this.left = grow32(this.left);
    this.right = grow32(this.right);
    this.feature = grow32(this.feature);
    this.nNodeSamples = grow32(this.nNodeSamples);
    const grow64 = (a: Float64Array) => {
      const g = new Float64Array(capacity);
      g.set(a.subarray(0, this.size));
      return g;
    };
    this.threshold = grow64(this.threshold);
    this.weightedNNodeSamples = grow64(this.weightedNNodeSamples);
  }

  /** Exact-length copies of the node arrays and the offsets. */
  finish() {
    const n = this.size;
    return {
      nodeOffsets: this.offsets,
      childrenLeft: this.left.slice(0, n),
      childrenRight: this.right.slice(0, n),
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      nNodeSamples: this.nNodeSamples.slice(0, n),
      weightedNNodeSamples: this.weightedNNodeSamples.slice(0, n),
    };
  }
}
