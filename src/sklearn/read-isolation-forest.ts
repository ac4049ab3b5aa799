import { ModelFormatError } from '../engine/errors';
import { TREE_UNDEFINED, type FlatForest } from '../engine/forest';
import { fittedMaxFeatures, fittedMaxSamples } from '../engine/fitted-sizes';
import type { IsolationForestOptions } from '../engine/options';
import { verifyForest } from '../engine/verify-forest';
import { readColumn } from './numpy-array';
import { PickleFormatError } from './pickle-error';
import {
  describe,
  NdArray,
  printable,
  PyDict,
  PyFloat,
  PyInstance,
  PyList,
  type PyValue,
} from './py-values';

/** A scikit-learn parameter value as pickled (floats unboxed). */
export type SklearnParamValue = string | number | boolean | null;

/** An IsolationForest read from a pickle and verified, in the engine's terms. */
export interface ImportedIsolationForest {
  readonly forest: FlatForest;
  readonly offset: number;
  readonly params: IsolationForestOptions;
  /** `get_params()`-style values exactly as pickled (e.g. `random_state: null`). */
  readonly sklearnParams: Readonly<Record<string, SklearnParamValue>>;
  readonly featureNames: readonly string[] | null;
  /** `_n_samples`, when the pickle has it. */
  readonly nTrainingSamples: number | null;
  /** `_sklearn_version`, when the pickle has it. */
  readonly sklearnVersion: string | undefined;
}

/** Parameters of `IsolationForest.get_params()` kept in `sklearnParams`. */
const PARAM_KEYS = [
  'n_estimators',
  'max_samples',
  'contamination',
  'max_features',
  'bootstrap',
  'n_jobs',
  'random_state',
  'verbose',
  'warm_start',
] as const;

const INT32_MAX = 2147483647;

/**
 * Converts the object graph of a pickled `sklearn.ensemble.IsolationForest` (scikit-learn 1.2
 * layout, and the newer node dtypes) into a verified {@link FlatForest} plus its parameters.
 *
 * Tree nodes are read by field name from the pickled dtype descriptor (`left_child`,
 * `right_child`, `feature`, `threshold`, `n_node_samples`), so extra fields such as 1.3's
 * `missing_go_to_left` or 32-bit builds' `<i4` indices load unchanged. Checks, beyond
 * {@link verifyForest} on every tree: len(estimators_) == n_estimators ==
 * len(estimators_features_), every feature subset has _max_features entries in
 * [0, n_features_in_), each Tree was built for _max_features columns with one output, node
 * arrays match node_count and max_depth, and offset_ is finite.
 *
 * Work is bounded by the file: trees, Tree objects, node arrays and feature arrays must be
 * distinct objects (scikit-learn never shares them; a memo back-reference repeated a million
 * times would otherwise multiply the work), and the array bytes read may not add up to more than
 * `streamBytes`, the size of the pickle stream they came from.
 *
 * @throws PickleFormatError naming the attribute at fault and the byte offset of its object.
 */
export function readIsolationForest(root: PyValue, streamBytes: number): ImportedIsolationForest {
  if (!(root instanceof PyInstance) || root.cls.kind !== 'isolation-forest') {
    throw new PickleFormatError(
      `the file holds ${describe(root)}, not a sklearn.ensemble.IsolationForest`,
      offsetOf(root),
    );
  }
  const state = stateOf(root, 'IsolationForest');
  const at = root.offset;
  const get = (key: string): PyValue | undefined => state.entries.get(key);
  if (!state.entries.has('estimators_')) {
    throw new PickleFormatError('the IsolationForest is not fitted (no estimators_)', at);
  }

  const nFeatures = intAttr(get('n_features_in_'), 'n_features_in_', at, 1, INT32_MAX);
  const nEstimators = intAttr(get('n_estimators'), 'n_estimators', at, 1, INT32_MAX);
  const maxSamples = intAttr(get('max_samples_'), 'max_samples_', at, 1, INT32_MAX);
  const maxFeatures = intAttr(get('_max_features'), '_max_features', at, 1, nFeatures);
  const offset = numberAttr(get('offset_'), 'offset_', at);
  if (!Number.isFinite(offset)) throw new PickleFormatError(`offset_ is ${offset}`, at);

  const estimators = listAttr(get('estimators_'), 'estimators_', at);
  const featureSets = listAttr(get('estimators_features_'), 'estimators_features_', at);
  if (estimators.items.length !== nEstimators || featureSets.items.length !== nEstimators) {
    throw new PickleFormatError(
      `n_estimators is ${nEstimators} but estimators_ has ${estimators.items.length} trees and estimators_features_ ${featureSets.items.length} feature sets`,
      estimators.offset,
    );
  }

  const budget = new ReadBudget(streamBytes);
  // Every feature index takes at least one byte of the file: bound the allocation first.
  budget.check(nEstimators * maxFeatures, 'estimators_features_', featureSets.offset);
  const treeFeatures = new Int32Array(nEstimators * maxFeatures);
  const subset = Int32Array.from({ length: maxFeatures }, (_, j) => j);
  const trees: TreeArrays[] = [];
  let totalNodes = 0;
  for (let t = 0; t < nEstimators; t++) {
    const features = featureSets.items[t];
    if (!(features instanceof NdArray)) {
      throw new PickleFormatError(
        `estimators_features_[${t}] is ${describe(features)}, not an array`,
        featureSets.offset,
      );
    }
    budget.claim(features, `estimators_features_[${t}]`);
    const cols = readColumn(features, `estimators_features_[${t}]`);
    if (cols.length !== maxFeatures) {
      throw new PickleFormatError(
        `estimators_features_[${t}] has ${cols.length} features but _max_features is ${maxFeatures}`,
        features.offset,
      );
    }
    for (let j = 0; j < maxFeatures; j++) {
      const f = cols[j];
      if (!Number.isInteger(f) || f < 0 || f >= nFeatures) {
        throw new PickleFormatError(
          `estimators_features_[${t}] uses feature ${f}, outside [0, ${nFeatures})`,
          features.offset,
        );
      }
      treeFeatures[t * maxFeatures + j] = f;
    }
    const tree = readTree(
      estimators.items[t],
      t,
      maxFeatures,
      maxSamples,
      subset,
      budget,
      estimators.offset,
    );
    totalNodes += tree.left.length;
    if (totalNodes > INT32_MAX) throw new PickleFormatError('the forest has too many nodes', at);
    trees.push(tree);
  }

  const forest = concatenate(trees, treeFeatures, nEstimators, nFeatures, maxSamples, maxFeatures);
  try {
    verifyForest(forest);
  } catch (err) {
    if (err instanceof ModelFormatError) throw new PickleFormatError(err.message, at);
    throw err;
  }

  const params = readParams(get, at);
  const nTrainingSamples = optionalInt(get('_n_samples'), '_n_samples', at);
  checkParamsAgainstModel(params, forest, offset, nTrainingSamples, at);
  return {
    forest,
    offset,
    params,
    sklearnParams: rawParams(get),
    featureNames: readFeatureNames(get('feature_names_in_'), nFeatures, at),
    nTrainingSamples,
    sklearnVersion: optionalString(get('_sklearn_version'), '_sklearn_version', at),
  };
}

/**
 * The fitted sizes and offset must be what scikit-learn derives from the parameters (the same
 * rules the native artifact decoder applies): `_max_features` from `max_features`,
 * `max_samples_` from `max_samples` and `_n_samples`, `offset_ = -0.5` for 'auto' contamination.
 */
function checkParamsAgainstModel(
  params: IsolationForestOptions,
  forest: FlatForest,
  offset: number,
  nTrainingSamples: number | null,
  at: number,
): void {
  const mf = params.maxFeatures;
  if ('fraction' in mf && !(mf.fraction > 0 && mf.fraction <= 1)) {
    throw new PickleFormatError(`max_features is ${mf.fraction}, outside (0, 1]`, at);
  }
  const expectedMaxFeatures = fittedMaxFeatures(mf, forest.nFeatures);
  if (forest.maxFeatures !== expectedMaxFeatures) {
    throw new PickleFormatError(
      `_max_features is ${forest.maxFeatures} but max_features gives ${expectedMaxFeatures} of ${forest.nFeatures} features`,
      at,
    );
  }
  const ms = params.maxSamples;
  if (ms !== 'auto' && 'fraction' in ms && !(ms.fraction > 0 && ms.fraction <= 1)) {
    throw new PickleFormatError(`max_samples is ${ms.fraction}, outside (0, 1]`, at);
  }
  if (nTrainingSamples !== null) {
    const expected = fittedMaxSamples(ms, nTrainingSamples);
    if (forest.maxSamples !== expected) {
      throw new PickleFormatError(
        `max_samples_ is ${forest.maxSamples} but max_samples gives ${expected} of ${nTrainingSamples} rows`,
        at,
      );
    }
  }
  const c = params.contamination;
  if (c === 'auto' ? offset !== -0.5 : !(c > 0 && c <= 0.5)) {
    throw new PickleFormatError(
      c === 'auto'
        ? `offset_ must be -0.5 when contamination is 'auto', got ${offset}`
        : `contamination is ${c}, outside (0, 0.5]`,
      at,
    );
  }
}

/**
 * Bounds the conversion's work by the file: each tree, Tree, node array and feature array is
 * used once, and the array bytes read add up to at most the pickle stream's size.
 */
class ReadBudget {
  private readonly seen = new Set<object>();
  constructor(private remaining: number) {}

  /** Fails when `n` more bytes would exceed what the file holds. */
  check(n: number, what: string, offset: number): void {
    if (n > this.remaining) {
      throw new PickleFormatError(
        `${what} needs more array data than the file holds (arrays shared by reference?)`,
        offset,
      );
    }
  }

  /** Marks an object as used (once) and, for arrays, charges its bytes. */
  claim(value: PyInstance | NdArray, what: string): void {
    if (this.seen.has(value)) {
      throw new PickleFormatError(
        `${what} is an object already used elsewhere in the model (scikit-learn never shares it)`,
        value.offset,
      );
    }
    this.seen.add(value);
    if (value instanceof NdArray && value.data !== null) {
      this.check(value.data.length, what, value.offset);
      this.remaining -= value.data.length;
    }
  }
}

/** One tree's node arrays (tree-local ids) and where its Tree object sits in the file. */
interface TreeArrays {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly nNodeSamples: Int32Array;
  readonly weightedNNodeSamples: Float64Array;
  readonly offset: number;
}

function readTree(
  estimator: PyValue,
  t: number,
  maxFeatures: number,
  maxSamples: number,
  subset: Int32Array,
  budget: ReadBudget,
  listOffset: number,
): TreeArrays {
  if (!(estimator instanceof PyInstance) || estimator.cls.kind !== 'extra-tree') {
    throw new PickleFormatError(
      `estimators_[${t}] is ${describe(estimator)}, not an ExtraTreeRegressor`,
      offsetOf(estimator) ?? listOffset,
    );
  }
  budget.claim(estimator, `estimators_[${t}]`);
  const tree = stateOf(estimator, `estimators_[${t}]`).entries.get('tree_');
  if (!(tree instanceof PyInstance) || tree.cls.kind !== 'tree') {
    throw new PickleFormatError(
      `estimators_[${t}].tree_ is ${describe(tree)}, not a sklearn.tree._tree.Tree`,
      estimator.offset,
    );
  }
  const where = `estimators_[${t}].tree_`;
  const at = tree.offset;
  budget.claim(tree, where);
  const [nTreeFeatures, , nOutputs] = tree.args.items;
  if (nTreeFeatures !== maxFeatures) {
    throw new PickleFormatError(
      `${where} was built for ${typeof nTreeFeatures === 'number' ? nTreeFeatures : describe(nTreeFeatures)} features but _max_features is ${maxFeatures}`,
      at,
    );
  }
  if (nOutputs !== 1) {
    throw new PickleFormatError(
      `${where} has ${typeof nOutputs === 'number' ? nOutputs : describe(nOutputs)} outputs, expected 1`,
      at,
    );
  }
  const state = stateOf(tree, where);
  const nodeCount = intAttr(
    state.entries.get('node_count'),
    `${where}.node_count`,
    at,
    1,
    INT32_MAX,
  );
  const maxDepth = intAttr(state.entries.get('max_depth'), `${where}.max_depth`, at, 0, INT32_MAX);
  const nodes = state.entries.get('nodes');
  if (!(nodes instanceof NdArray) || nodes.dtype?.kind !== 'V') {
    throw new PickleFormatError(
      `${where}.nodes is ${describe(nodes)}, not a node struct array`,
      at,
    );
  }
  budget.claim(nodes, `${where}.nodes`);
  if (nodes.shape.length !== 1 || nodes.shape[0] !== nodeCount) {
    throw new PickleFormatError(
      `${where}.nodes has shape (${nodes.shape.join(', ')}) but node_count is ${nodeCount}`,
      nodes.offset,
    );
  }
  const values = state.entries.get('values');
  if (values !== undefined && (!(values instanceof NdArray) || values.shape[0] !== nodeCount)) {
    throw new PickleFormatError(
      `${where}.values is ${describe(values)}, expected ${nodeCount} rows`,
      offsetOf(values ?? null) ?? at,
    );
  }
  const column = (name: string): Float64Array => readColumn(nodes, `${where}.nodes`, name);
  const arrays: TreeArrays = {
    left: int32Column(column('left_child'), `${where}.nodes.left_child`, nodes.offset),
    right: int32Column(column('right_child'), `${where}.nodes.right_child`, nodes.offset),
    feature: int32Column(column('feature'), `${where}.nodes.feature`, nodes.offset),
    threshold: column('threshold'),
    nNodeSamples: int32Column(
      column('n_node_samples'),
      `${where}.nodes.n_node_samples`,
      nodes.offset,
    ),
    weightedNNodeSamples: column('weighted_n_node_samples'),
    offset: at,
  };
  verifyTree(arrays, subset, maxSamples, maxDepth, where);
  return arrays;
}

/**
 * verifyForest on one tree (so the error can point at that tree), then what it leaves open and
 * scikit-learn trees always satisfy (as the native artifact decoder checks): leaf markers, splits
 * that partition their samples, a root of at most max_samples_, and the depth vs max_depth.
 */
function verifyTree(
  tree: TreeArrays,
  subset: Int32Array,
  maxSamples: number,
  maxDepth: number,
  where: string,
): void {
  const n = tree.left.length;
  const single: FlatForest = {
    nEstimators: 1,
    nFeatures: subset.length,
    maxSamples,
    maxFeatures: subset.length,
    treeFeatures: subset,
    nodeOffsets: Int32Array.of(0, n),
    childrenLeft: tree.left,
    childrenRight: tree.right,
    feature: tree.feature,
    threshold: tree.threshold,
    nNodeSamples: tree.nNodeSamples,
    weightedNNodeSamples: tree.weightedNNodeSamples,
  };
  try {
    verifyForest(single);
  } catch (err) {
    if (err instanceof ModelFormatError) {
      throw new PickleFormatError(
        `${where}: ${err.message.replace('invalid forest: tree 0 ', '')}`,
        tree.offset,
      );
    }
    throw err;
  }
  // Children come after their parent (verified), so one forward pass gives every depth.
  const depth = new Int32Array(n);
  let deepest = 0;
  if (tree.nNodeSamples[0] > maxSamples) {
    throw new PickleFormatError(
      `${where}: the root has ${tree.nNodeSamples[0]} samples, more than max_samples_ ${maxSamples}`,
      tree.offset,
    );
  }
  for (let i = 0; i < n; i++) {
    const l = tree.left[i];
    if (l < 0) {
      // scikit-learn marks leaves with feature -2 (TREE_UNDEFINED) and threshold -2.0.
      if (tree.feature[i] !== TREE_UNDEFINED || tree.threshold[i] !== TREE_UNDEFINED) {
        throw new PickleFormatError(
          `${where}: node ${i} is a leaf but has feature ${tree.feature[i]} and threshold ${tree.threshold[i]} (expected -2, -2)`,
          tree.offset,
        );
      }
      continue;
    }
    const split = tree.nNodeSamples[l] + tree.nNodeSamples[tree.right[i]];
    if (split !== tree.nNodeSamples[i]) {
      throw new PickleFormatError(
        `${where}: node ${i} has ${tree.nNodeSamples[i]} samples but its children have ${split}`,
        tree.offset,
      );
    }
    depth[l] = depth[i] + 1;
    depth[tree.right[i]] = depth[i] + 1;
    if (depth[i] + 1 > deepest) deepest = depth[i] + 1;
  }
  if (deepest !== maxDepth) {
    throw new PickleFormatError(
      `${where}: max_depth is ${maxDepth} but the nodes reach depth ${deepest}`,
      tree.offset,
    );
  }
}

function concatenate(
  trees: readonly TreeArrays[],
  treeFeatures: Int32Array,
  nEstimators: number,
  nFeatures: number,
  maxSamples: number,
  maxFeatures: number,
): FlatForest {
  const nodeOffsets = new Int32Array(nEstimators + 1);
  for (let t = 0; t < nEstimators; t++) nodeOffsets[t + 1] = nodeOffsets[t] + trees[t].left.length;
  const total = nodeOffsets[nEstimators];
  const childrenLeft = new Int32Array(total);
  const childrenRight = new Int32Array(total);
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const nNodeSamples = new Int32Array(total);
  const weightedNNodeSamples = new Float64Array(total);
  for (let t = 0; t < nEstimators; t++) {
    const base = nodeOffsets[t];
    childrenLeft.set(trees[t].left, base);
    childrenRight.set(trees[t].right, base);
    feature.set(trees[t].feature, base);
    threshold.set(trees[t].threshold, base);
    nNodeSamples.set(trees[t].nNodeSamples, base);
    weightedNNodeSamples.set(trees[t].weightedNNodeSamples, base);
  }
  return {
    nEstimators,
    nFeatures,
    maxSamples,
    maxFeatures,
    treeFeatures,
    nodeOffsets,
    childrenLeft,
    childrenRight,
    feature,
    threshold,
    nNodeSamples,
    weightedNNodeSamples,
  };
}

function int32Column(values: Float64Array, what: string, at: number): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < -INT32_MAX - 1 || v > INT32_MAX) {
      throw new PickleFormatError(`${what}[${i}] is ${v}, not a 32-bit integer`, at);
    }
    out[i] = v;
  }
  return out;
}

// ---- parameters ---------------------------------------------------------------------------------

function readParams(get: (key: string) => PyValue | undefined, at: number): IsolationForestOptions {
  const maxSamples = get('max_samples');
  const maxFeatures = get('max_features');
  const contamination = get('contamination');
  const bootstrap = get('bootstrap');
  const randomState = get('random_state');
  return Object.freeze({
    nEstimators: intAttr(get('n_estimators'), 'n_estimators', at, 1, INT32_MAX),
    maxSamples:
      maxSamples === 'auto'
        ? 'auto'
        : maxSamples instanceof PyFloat
          ? Object.freeze({ fraction: maxSamples.value })
          : Object.freeze({
              count: intAttr(maxSamples, 'max_samples', at, 1, Number.MAX_SAFE_INTEGER),
            }),
    maxFeatures:
      maxFeatures instanceof PyFloat
        ? Object.freeze({ fraction: maxFeatures.value })
        : Object.freeze({ count: intAttr(maxFeatures, 'max_features', at, 1, INT32_MAX) }),
    contamination:
      contamination === 'auto' ? 'auto' : numberAttr(contamination, 'contamination', at),
    bootstrap: boolAttr(bootstrap, 'bootstrap', at),
    // None (fresh OS entropy at fit time) has no seed to report: 0 here, null in sklearnParams.
    randomState: randomState === null ? 0 : intAttr(randomState, 'random_state', at, 0, 4294967295),
  });
}

function rawParams(get: (key: string) => PyValue | undefined): Record<string, SklearnParamValue> {
  const out: Record<string, SklearnParamValue> = {};
  for (const key of PARAM_KEYS) {
    const v = get(key);
    if (v === undefined) continue;
    if (v instanceof PyFloat) out[key] = v.value;
    else if (v === null || typeof v === 'string' || typeof v === 'boolean') out[key] = v;
    else if (typeof v === 'number') out[key] = v;
  }
  return Object.freeze(out);
}

function readFeatureNames(
  value: PyValue | undefined,
  nFeatures: number,
  at: number,
): string[] | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof NdArray) || value.objects === null || value.shape.length !== 1) {
    throw new PickleFormatError(`feature_names_in_ is ${describe(value)}, not an array of str`, at);
  }
  const names = value.objects;
  if (names.length !== nFeatures) {
    throw new PickleFormatError(
      `feature_names_in_ has ${names.length} names but n_features_in_ is ${nFeatures}`,
      value.offset,
    );
  }
  return names.map((name, i) => {
    if (typeof name !== 'string') {
      throw new PickleFormatError(
        `feature_names_in_[${i}] is ${describe(name)}, not a str`,
        value.offset,
      );
    }
    return name;
  });
}

// ---- typed attribute access ---------------------------------------------------------------------

function stateOf(instance: PyInstance, what: string): PyDict {
  if (!(instance.state instanceof PyDict)) {
    throw new PickleFormatError(`${what} has no state (it was never built)`, instance.offset);
  }
  return instance.state;
}

function intAttr(
  value: PyValue | undefined,
  name: string,
  at: number,
  min: number,
  max: number,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new PickleFormatError(
      value === undefined ? `missing ${name}` : `${name} is ${describe(value)}, not an int`,
      at,
    );
  }
  if (value < min || value > max) {
    throw new PickleFormatError(`${name} is ${value}, outside [${min}, ${max}]`, at);
  }
  return value;
}

function numberAttr(value: PyValue | undefined, name: string, at: number): number {
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'number') return value;
  throw new PickleFormatError(
    value === undefined ? `missing ${name}` : `${name} is ${describe(value)}, not a number`,
    at,
  );
}

function boolAttr(value: PyValue | undefined, name: string, at: number): boolean {
  if (typeof value !== 'boolean') {
    throw new PickleFormatError(
      value === undefined ? `missing ${name}` : `${name} is ${describe(value)}, not a bool`,
      at,
    );
  }
  return value;
}

function listAttr(value: PyValue | undefined, name: string, at: number): PyList {
  if (!(value instanceof PyList)) {
    throw new PickleFormatError(
      value === undefined ? `missing ${name}` : `${name} is ${describe(value)}, not a list`,
      at,
    );
  }
  return value;
}

function optionalInt(value: PyValue | undefined, name: string, at: number): number | null {
  return value === undefined || value === null
    ? null
    : intAttr(value, name, at, 0, Number.MAX_SAFE_INTEGER);
}

function optionalString(value: PyValue | undefined, name: string, at: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new PickleFormatError(`${name} is ${describe(value)}, not a str`, at);
  }
  return printable(value, 40);
}

function offsetOf(value: PyValue): number | null {
  return typeof value === 'object' && value !== null && 'offset' in value ? value.offset : null;
}
