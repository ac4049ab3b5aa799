import { assert } from './errors';
import { TREE_LEAF, TREE_UNDEFINED } from './forest';
import { RandR } from './rand-r';

/** `np.finfo(np.double).eps`, scikit-learn's `EPSILON` in `_tree.pyx`. */
const EPSILON = 2.220446049250313e-16;
/** scikit-learn's `FEATURE_THRESHOLD` (1e-7 as a float32), below which a column is constant. */
const FEATURE_THRESHOLD = Math.fround(1e-7);

/** The sample a tree is grown on, already drawn, weighted and cast to float32. */
export interface TreeSample {
  /**
   * Column-major float32 values: column `c` of sample `i` is `x[c * nRows + i]`. Samples are
   * the rows with non-zero weight, in the order of their original row index.
   */
  readonly x: Float32Array;
  readonly nRows: number;
  readonly nCols: number;
  /** Regression target of each sample (IsolationForest's dummy `uniform` targets). */
  readonly y: Float64Array;
  /** Positive weight of each sample (the number of times bootstrap drew it, else 1). */
  readonly weight: Float64Array;
  /** Sum of all sample weights of the whole fit (`weighted_n_samples`; `max_samples_`). */
  readonly weightedNSamples: number;
  /**
   * Whether the fit's data may hold missing values (NaN): selects scikit-learn 1.9's NaN-aware
   * split search. Finite data take the plain loop (the same trees either way). @default false
   */
  readonly hasMissing?: boolean;
}

/** Growth parameters of one tree. */
export interface TreeParams {
  readonly maxDepth: number;
  /** Columns tried per split (1 for IsolationForest's `ExtraTreeRegressor(max_features=1)`). */
  readonly maxFeatures: number;
  /** Initial state of the splitter's xorshift (`RandomState(tree_seed).randint(0, 0x7FFFFFFF)`). */
  readonly randRSeed: number;
}

/**
 * Grows one extremely randomised regression tree exactly as scikit-learn 1.2.1's
 * `ExtraTreeRegressor(splitter='random', criterion='squared_error', min_samples_split=2,
 * min_samples_leaf=1)` does with its `DepthFirstTreeBuilder`: these are the isolation trees
 * (iTrees) of Liu, Ting & Zhou, "Isolation Forest", ICDM 2008, Algorithm 2, with
 * scikit-learn's own tie-breaking so that the same seed gives the same tree.
 *
 * Per node (pre-order ids: a stack pushes the right child, then the left, and pops the left):
 * - leaf when `depth >= maxDepth`, fewer than 2 samples, weighted variance of `y` <= DBL_EPSILON,
 *   or no valid split;
 * - the `RandomSplitter` draws a column Fisher–Yates style from one tree-wide `features`
 *   permutation that keeps the columns known to be constant as a prefix; a column whose
 *   float32 `max <= float32(min + 1e-7)` is recorded as constant and another is drawn;
 * - `threshold = ((max - min) * r / 0x7FFFFFFF) + min` in float64 (`threshold == max` becomes
 *   `min`); samples with `x <= threshold` are swapped to the left with scikit-learn's partition;
 * - the squared-error criterion's sums follow `_criterion.pyx` operation for operation (forward
 *   or reverse accumulation in `update`, children impurities, `impurity_improvement`), since
 *   they decide leaves via the DBL_EPSILON tests.
 *
 * One builder is reused across trees: all scratch is kept between calls, nothing is allocated
 * per node. Output arrays are owned by the builder and overwritten by the next `build`.
 */
export class TreeBuilder {
  /** Node count of the last tree built. */
  nodeCount = 0;
  /** Deepest node depth of the last tree (scikit-learn's `tree_.max_depth`). */
  maxDepthSeen = 0;
  childrenLeft = new Int32Array(0);
  childrenRight = new Int32Array(0);
  feature = new Int32Array(0);
  threshold = new Float64Array(0);
  nNodeSamples = new Int32Array(0);
  weightedNNodeSamples = new Float64Array(0);
  /** scikit-learn's `missing_go_to_left` per node (0 at leaves). */
  missingGoToLeft = new Uint8Array(0);
  /** Whether the last tree's sample held a missing value (NaN) in any column. */
  sawMissing = false;

  private samples = new Int32Array(0);
  private xf = new Float32Array(0);
  private features = new Int32Array(0);
  private constantFeatures = new Int32Array(0);
  // Depth-first stack (struct of arrays).
  private stStart = new Int32Array(0);
  private stEnd = new Int32Array(0);
  private stDepth = new Int32Array(0);
  private stParent = new Int32Array(0);
  private stIsLeft = new Uint8Array(0);
  private stImpurity = new Float64Array(0);
  private stNConstant = new Int32Array(0);

  // Criterion state for the current node (RegressionCriterion with one output).
  private sumTotal = 0;
  private sqSumTotal = 0;
  private weightedNNode = 0;
  private sumLeft = 0;
  private sumRight = 0;
  private weightedNLeft = 0;
  private weightedNRight = 0;

  // Result of the last nodeSplit (scikit-learn's SplitRecord) and the constants it returns.
  private splitPos = 0;
  private splitFeature = 0;
  private splitThreshold = 0;
  private splitMissingGoToLeft = 0;
  private splitImpurityLeft = 0;
  private splitImpurityRight = 0;
  private splitImprovement = 0;
  private splitNConstant = 0;

  /** Grows a tree on `sample`; read the result from the public arrays up to `nodeCount`. */
  build(sample: TreeSample, params: TreeParams): void {
    const m = sample.nRows;
    const q = sample.nCols;
    assert(m >= 1 && q >= 1, () => `empty tree sample ${m} x ${q}`);
    assert(sample.x.length >= m * q, () => 'tree sample x is too short');
    this.reserve(m, q, params.maxDepth);
    const samples = this.samples;
    for (let i = 0; i < m; i++) samples[i] = i;
    for (let j = 0; j < q; j++) this.features[j] = j;
    const rand = new RandR(params.randRSeed);

    this.nodeCount = 0;
    this.maxDepthSeen = 0;
    this.sawMissing = false;
    let top = 0;
    this.stStart[0] = 0;
    this.stEnd[0] = m;
    this.stDepth[0] = 0;
    this.stParent[0] = -1;
    this.stIsLeft[0] = 0;
    this.stImpurity[0] = Infinity;
    this.stNConstant[0] = 0;
    top = 1;
    let first = true;

    while (top > 0) {
      top--;
      const start = this.stStart[top];
      const end = this.stEnd[top];
      const depth = this.stDepth[top];
      const parent = this.stParent[top];
      const isLeft = this.stIsLeft[top] === 1;
      let impurity = this.stImpurity[top];
      const nConstant = this.stNConstant[top];
      const nNode = end - start;

      this.criterionInit(sample, start, end);
      // min_samples_split = 2 and 2 * min_samples_leaf = 2; min_weight_leaf = 0 never binds.
      let isLeaf = depth >= params.maxDepth || nNode < 2;
      if (first) {
        impurity = this.nodeImpurity();
        first = false;
      }
      isLeaf = isLeaf || impurity <= EPSILON;
      if (!isLeaf) {
        this.nodeSplit(sample, start, end, impurity, nConstant, params.maxFeatures, rand);
        // min_impurity_decrease = 0
        isLeaf = this.splitPos >= end || this.splitImprovement + EPSILON < 0;
      }

      const id = this.nodeCount++;
      if (parent >= 0) {
        if (isLeft) this.childrenLeft[parent] = id;
        else this.childrenRight[parent] = id;
      }
      this.nNodeSamples[id] = nNode;
      this.weightedNNodeSamples[id] = this.weightedNNode;
      if (isLeaf) {
        this.childrenLeft[id] = TREE_LEAF;
        this.childrenRight[id] = TREE_LEAF;
        this.feature[id] = TREE_UNDEFINED;
        this.threshold[id] = TREE_UNDEFINED;
        this.missingGoToLeft[id] = 0;
      } else {
        this.feature[id] = this.splitFeature;
        this.threshold[id] = this.splitThreshold;
        this.missingGoToLeft[id] = this.splitMissingGoToLeft;
        const pos = this.splitPos;
        const nc = this.splitNConstant;
        // Right child first so that the left one is popped next (pre-order ids).
        this.push(top++, pos, end, depth + 1, id, 0, this.splitImpurityRight, nc);
        this.push(top++, start, pos, depth + 1, id, 1, this.splitImpurityLeft, nc);
      }
      if (depth > this.maxDepthSeen) this.maxDepthSeen = depth;
    }
  }

  private push(
    at: number,
    start: number,
    end: number,
    depth: number,
    parent: number,
    isLeft: number,
    impurity: number,
    nConstant: number,
  ): void {
    assert(at < this.stStart.length, () => 'tree builder stack overflow');
    this.stStart[at] = start;
    this.stEnd[at] = end;
    this.stDepth[at] = depth;
    this.stParent[at] = parent;
    this.stIsLeft[at] = isLeft;
    this.stImpurity[at] = impurity;
    this.stNConstant[at] = nConstant;
  }

  /** Grows scratch and output arrays for a tree of `m` samples, `q` columns, depth <= maxDepth. */
  private reserve(m: number, q: number, maxDepth: number): void {
    // A binary tree with m distinct samples has at most 2m - 1 nodes, and at most
    // 2^(maxDepth + 1) - 1 within the depth limit.
    const byDepth = maxDepth >= 30 ? Infinity : 2 ** (maxDepth + 1) - 1;
    const capacity = Math.min(2 * m - 1, byDepth);
    if (this.childrenLeft.length < capacity) {
      this.childrenLeft = new Int32Array(capacity);
      this.childrenRight = new Int32Array(capacity);
      this.feature = new Int32Array(capacity);
      this.threshold = new Float64Array(capacity);
      this.nNodeSamples = new Int32Array(capacity);
      this.weightedNNodeSamples = new Float64Array(capacity);
      this.missingGoToLeft = new Uint8Array(capacity);
    }
    if (this.samples.length < m) {
      this.samples = new Int32Array(m);
      this.xf = new Float32Array(m);
    }
    if (this.features.length < q) {
      this.features = new Int32Array(q);
      this.constantFeatures = new Int32Array(q);
    }
    // Pending right siblings sit at distinct depths, so the stack never exceeds maxDepth + 1.
    const stack = Math.min(maxDepth, 2 * m) + 2;
    if (this.stStart.length < stack) {
      this.stStart = new Int32Array(stack);
      this.stEnd = new Int32Array(stack);
      this.stDepth = new Int32Array(stack);
      this.stParent = new Int32Array(stack);
      this.stIsLeft = new Uint8Array(stack);
      this.stImpurity = new Float64Array(stack);
      this.stNConstant = new Int32Array(stack);
    }
  }

  /** `RegressionCriterion.init` over samples[start:end], followed by `reset`. */
  private criterionInit(sample: TreeSample, start: number, end: number): void {
    const { y, weight } = sample;
    const samples = this.samples;
    let sum = 0.0;
    let sq = 0.0;
    let wn = 0.0;
    for (let p = start; p < end; p++) {
      const i = samples[p];
      const w = weight[i];
      const yi = y[i];
      const wy = w * yi;
      sum += wy;
      sq += wy * yi;
      wn += w;
    }
    this.sumTotal = sum;
    this.sqSumTotal = sq;
    this.weightedNNode = wn;
    this.criterionReset();
  }

  private criterionReset(): void {
    this.sumLeft = 0.0;
    this.sumRight = this.sumTotal;
    this.weightedNLeft = 0.0;
    this.weightedNRight = this.weightedNNode;
  }

  /** `MSE.node_impurity`: `sq_sum / w - (sum / w)^2`. */
  private nodeImpurity(): number {
    const w = this.weightedNNode;
    const mean = this.sumTotal / w;
    return this.sqSumTotal / w - mean * mean;
  }

  /**
   * `RegressionCriterion.update(new_pos)` right after `reset()` (pos = start): accumulates the
   * left sums from whichever end needs fewer steps, exactly as scikit-learn does.
   */
  private criterionUpdate(sample: TreeSample, start: number, end: number, newPos: number): void {
    const { y, weight } = sample;
    const samples = this.samples;
    if (newPos - start <= end - newPos) {
      let s = this.sumLeft;
      let wl = this.weightedNLeft;
      for (let p = start; p < newPos; p++) {
        const i = samples[p];
        const w = weight[i];
        s += w * y[i];
        wl += w;
      }
      this.sumLeft = s;
      this.weightedNLeft = wl;
    } else {
      // reverse_reset: sum_left = sum_total, weighted_n_left = weighted_n_node_samples
      let s = this.sumTotal;
      let wl = this.weightedNNode;
      for (let p = end - 1; p >= newPos; p--) {
        const i = samples[p];
        const w = weight[i];
        s -= w * y[i];
        wl -= w;
      }
      this.sumLeft = s;
      this.weightedNLeft = wl;
    }
    this.weightedNRight = this.weightedNNode - this.weightedNLeft;
    this.sumRight = this.sumTotal - this.sumLeft;
  }

  /** `MSE.proxy_impurity_improvement`. */
  private proxyImprovement(): number {
    return (
      (this.sumLeft * this.sumLeft) / this.weightedNLeft +
      (this.sumRight * this.sumRight) / this.weightedNRight
    );
  }

  /**
   * `RandomSplitter.node_split` (dense, scikit-learn 1.2). Writes the split record fields and
   * the new number of known constant columns.
   */
  private nodeSplit(
    sample: TreeSample,
    start: number,
    end: number,
    impurity: number,
    nKnownConstants: number,
    maxFeatures: number,
    rand: RandR,
  ): void {
    const { x, nRows, nCols } = sample;
    const samples = this.samples;
    const xf = this.xf;
    const features = this.features;
    const constantFeatures = this.constantFeatures;

    let fi = nCols;
    let nFoundConstants = 0;
    let nDrawnConstants = 0;
    let nTotalConstants = nKnownConstants;
    let nVisited = 0;

    // _init_split(&best, end)
    let bestPos = end;
    let bestFeature = 0;
    let bestThreshold = 0;
    let bestMissingGoToLeft = 0;
    let bestProxy = -Infinity;
    let curFeature = 0;

    while (
      fi > nTotalConstants &&
      (nVisited < maxFeatures || nVisited <= nFoundConstants + nDrawnConstants)
    ) {
      nVisited++;
      let fj = rand.randInt(nDrawnConstants, fi - nFoundConstants);
      if (fj < nKnownConstants) {
        // A known constant column: move it into the drawn-constants prefix and draw again.
        const t = features[nDrawnConstants];
        features[nDrawnConstants] = features[fj];
        features[fj] = t;
        nDrawnConstants++;
        continue;
      }
      fj += nFoundConstants;
      curFeature = features[fj];

      // Min and max over the node's non-missing values, in float32, counting missing ones
      // (scikit-learn 1.9's DensePartitioner.find_min_max); keep the values for the partition.
      const base = curFeature * nRows;
      let min: number;
      let max: number;
      let nMissing = 0;
      if (sample.hasMissing === true) {
        min = Infinity;
        max = -Infinity;
        let seen = false;
        for (let p = start; p < end; p++) {
          const v = x[base + samples[p]];
          xf[p] = v;
          if (v !== v) nMissing++;
          else if (!seen) {
            min = v;
            max = v;
            seen = true;
          } else if (v < min) min = v;
          else if (v > max) max = v;
        }
      } else {
        min = x[base + samples[start]];
        max = min;
        xf[start] = min;
        for (let p = start + 1; p < end; p++) {
          const v = x[base + samples[p]];
          xf[p] = v;
          if (v < min) min = v;
          else if (v > max) max = v;
        }
      }
      // All missing, or (no missing and) float32 max <= float32(min + 1e-7f): constant.
      if (
        nMissing === end - start ||
        (max <= Math.fround(min + FEATURE_THRESHOLD) && nMissing === 0)
      ) {
        features[fj] = features[nTotalConstants];
        features[nTotalConstants] = curFeature;
        nFoundConstants++;
        nTotalConstants++;
        continue;
      }

      fi--;
      const t = features[fi];
      features[fi] = features[fj];
      features[fj] = t;

      let threshold = rand.randUniform(min, max);
      // scikit-learn 1.9: a node with missing values draws where they go, after the threshold.
      const hasMissing = nMissing !== 0;
      if (hasMissing) this.sawMissing = true;
      const missingGoToLeft = hasMissing ? rand.randInt(0, 2) : 0;
      if (threshold === max) threshold = min;

      // Partition samples[start:end] on x <= threshold, missing values by the drawn side
      // (scikit-learn's swap order).
      let p = start;
      let partitionEnd = end;
      while (p < partitionEnd) {
        const v = xf[p];
        if (v !== v ? missingGoToLeft === 1 : v <= threshold) {
          p++;
        } else {
          partitionEnd--;
          const xv = xf[p];
          xf[p] = xf[partitionEnd];
          xf[partitionEnd] = xv;
          const sv = samples[p];
          samples[p] = samples[partitionEnd];
          samples[partitionEnd] = sv;
        }
      }
      const pos = partitionEnd;
      // min_samples_leaf = 1
      if (pos - start < 1 || end - pos < 1) continue;

      this.criterionReset();
      this.criterionUpdate(sample, start, end, pos);
      // min_weight_leaf = 0 never rejects.
      const proxy = this.proxyImprovement();
      if (proxy > bestProxy) {
        bestProxy = proxy;
        bestPos = pos;
        bestFeature = curFeature;
        bestThreshold = threshold;
        // Without missing values in the node: the larger side, ties to the right (1.6+).
        bestMissingGoToLeft = hasMissing ? missingGoToLeft : +(pos - start > end - pos);
      }
    }

    let impurityLeft = Infinity;
    let impurityRight = Infinity;
    let improvement = -Infinity;
    if (bestPos < end) {
      if (curFeature !== bestFeature) {
        // Re-partition on the best column (only reachable with maxFeatures > 1).
        const base = bestFeature * nRows;
        let p = start;
        let partitionEnd = end;
        while (p < partitionEnd) {
          const v = x[base + samples[p]];
          if (v !== v ? bestMissingGoToLeft === 1 : v <= bestThreshold) {
            p++;
          } else {
            partitionEnd--;
            const sv = samples[p];
            samples[p] = samples[partitionEnd];
            samples[partitionEnd] = sv;
          }
        }
      }
      this.criterionReset();
      this.criterionUpdate(sample, start, end, bestPos);
      // MSE.children_impurity
      const { y, weight } = sample;
      let sqSumLeft = 0.0;
      for (let q = start; q < bestPos; q++) {
        const i = samples[q];
        const yi = y[i];
        sqSumLeft += weight[i] * yi * yi;
      }
      const sqSumRight = this.sqSumTotal - sqSumLeft;
      const wl = this.weightedNLeft;
      const wr = this.weightedNRight;
      const meanLeft = this.sumLeft / wl;
      const meanRight = this.sumRight / wr;
      impurityLeft = sqSumLeft / wl - meanLeft * meanLeft;
      impurityRight = sqSumRight / wr - meanRight * meanRight;
      const wn = this.weightedNNode;
      improvement =
        (wn / sample.weightedNSamples) *
        (impurity - (wr / wn) * impurityRight - (wl / wn) * impurityLeft);
    }

    // Keep the known-constant prefix in its original order for siblings and children, and
    // remember the newly found constants after it.
    for (let k = 0; k < nKnownConstants; k++) features[k] = constantFeatures[k];
    for (let k = 0; k < nFoundConstants; k++) {
      constantFeatures[nKnownConstants + k] = features[nKnownConstants + k];
    }

    this.splitPos = bestPos;
    this.splitFeature = bestFeature;
    this.splitThreshold = bestThreshold;
    this.splitMissingGoToLeft = bestMissingGoToLeft;
    this.splitImpurityLeft = impurityLeft;
    this.splitImpurityRight = impurityRight;
    this.splitImprovement = improvement;
    this.splitNConstant = nTotalConstants;
  }
}
