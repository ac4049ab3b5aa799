import { ModelFormatError } from './errors';
import { TREE_LEAF, TREE_UNDEFINED, type FlatForest } from './forest';

const isInt = (v: number): boolean => Number.isSafeInteger(v);

/**
 * Structural verification of a forest read from an untrusted file, before anything scores with it.
 * Checks array lengths, offsets, that every tree is a proper binary tree in pre-order-compatible
 * layout (children after their parent, each node reached exactly once from the root, leaves marked
 * consistently), feature indices in range, finite thresholds, sample counts >= 1 and, when
 * present, finite positive node weights.
 *
 * @throws ModelFormatError naming the tree and node at fault.
 */
export function verifyForest(forest: FlatForest): void {
  const { nEstimators, nFeatures, maxSamples, maxFeatures } = forest;
  if (!isInt(nEstimators) || nEstimators < 1)
    throw bad(`nEstimators must be >= 1, got ${nEstimators}`);
  if (!isInt(nFeatures) || nFeatures < 1) throw bad(`nFeatures must be >= 1, got ${nFeatures}`);
  if (!isInt(maxSamples) || maxSamples < 1) throw bad(`maxSamples must be >= 1, got ${maxSamples}`);
  if (!isInt(maxFeatures) || maxFeatures < 1 || maxFeatures > nFeatures) {
    throw bad(`maxFeatures must be in [1, ${nFeatures}], got ${maxFeatures}`);
  }
  if (forest.treeFeatures.length !== nEstimators * maxFeatures) {
    throw bad(
      `treeFeatures has ${forest.treeFeatures.length} entries, expected ${nEstimators * maxFeatures}`,
    );
  }
  for (let k = 0; k < forest.treeFeatures.length; k++) {
    const f = forest.treeFeatures[k];
    if (f < 0 || f >= nFeatures) {
      throw bad(`tree ${Math.floor(k / maxFeatures)} uses feature ${f}, outside [0, ${nFeatures})`);
    }
  }
  const offsets = forest.nodeOffsets;
  if (offsets.length !== nEstimators + 1 || offsets[0] !== 0) {
    throw bad(`nodeOffsets must have ${nEstimators + 1} entries starting at 0`);
  }
  const total = offsets[nEstimators];
  for (const [name, arr] of [
    ['childrenLeft', forest.childrenLeft],
    ['childrenRight', forest.childrenRight],
    ['feature', forest.feature],
    ['threshold', forest.threshold],
    ['nNodeSamples', forest.nNodeSamples],
  ] as const) {
    if (arr.length !== total) throw bad(`${name} has ${arr.length} entries, expected ${total}`);
  }
  const weights = forest.weightedNNodeSamples;
  if (weights !== undefined) {
    if (weights.length !== total) {
      throw bad(`weightedNNodeSamples has ${weights.length} entries, expected ${total}`);
    }
    for (let g = 0; g < total; g++) {
      // Finite and positive: TreeSHAP divides by it (rows of zero weight never reach a tree).
      if (!(weights[g] > 0 && weights[g] < Infinity)) {
        throw bad(
          `node ${g} has weighted_n_node_samples ${weights[g]}, expected a finite number > 0`,
        );
      }
    }
  }
  let reached = new Uint8Array(0);
  for (let t = 0; t < nEstimators; t++) {
    const base = offsets[t];
    const size = offsets[t + 1] - base;
    if (size < 1) throw bad(`tree ${t} has no nodes`);
    if (reached.length < size) reached = new Uint8Array(size);
    reached.fill(0, 0, size);
    reached[0] = 1;
    for (let i = 0; i < size; i++) {
      const g = base + i;
      const where = `tree ${t} node ${i}`;
      if (reached[i] !== 1) throw bad(`${where} is not reached exactly once from the root`);
      if (!(forest.nNodeSamples[g] >= 1))
        throw bad(`${where} has n_node_samples ${forest.nNodeSamples[g]} < 1`);
      const l = forest.childrenLeft[g];
      const r = forest.childrenRight[g];
      if (l === TREE_LEAF || r === TREE_LEAF) {
        if (l !== TREE_LEAF || r !== TREE_LEAF) throw bad(`${where} has exactly one child`);
        continue;
      }
      // Children after their parent makes cycles impossible and lets scoring assign depths in one pass.
      if (l <= i || l >= size || r <= i || r >= size || l === r) {
        throw bad(`${where} has children ${l}, ${r} outside (${i}, ${size})`);
      }
      reached[l]++;
      reached[r]++;
      const f = forest.feature[g];
      if (f === TREE_UNDEFINED || f < 0 || f >= maxFeatures) {
        throw bad(`${where} splits on feature ${f}, outside [0, ${maxFeatures})`);
      }
      if (!Number.isFinite(forest.threshold[g])) throw bad(`${where} has a non-finite threshold`);
    }
  }
}

function bad(message: string): ModelFormatError {
  return new ModelFormatError(`invalid forest: ${message}`);
}
