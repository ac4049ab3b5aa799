import type { FlatForest } from '../engine/forest';
import { scoreSamples } from '../engine/score';

/** The two columns the decision map plots, and why. */
export interface MapFeatures {
  readonly x: number;
  readonly y: number;
  /** One sentence for the page saying how they were chosen and what the others are held at. */
  readonly how: string;
}

/** Points per feature when measuring how much the score moves along it. */
const SPREAD_STEPS = 25;

/**
 * Picks the decision map's two features. A model with two features plots both. With more, the
 * two with the largest mean |SHAP value| when `importance` is given; otherwise the two with the
 * largest score spread: how far the anomaly score moves (max - min over 25 steps across the
 * feature's training range) when that feature alone varies and the others stay at `centre`.
 * This compares features in the model's own terms, whatever their units.
 *
 * @param centre the values the other features are held at (training medians)
 * @param lo per-feature low end of the training range
 * @param hi per-feature high end of the training range
 */
export function chooseMapFeatures(
  forest: FlatForest,
  centre: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
  importance: Float64Array | null,
  heldAt: string,
): MapFeatures {
  const d = forest.nFeatures;
  if (d === 1) return { x: 0, y: 0, how: 'The model has one feature.' };
  if (d === 2)
    return { x: 0, y: 1, how: 'The model has two features: the map is its whole input space.' };
  let weight: Float64Array;
  let by: string;
  if (importance !== null && importance.length === d) {
    weight = importance;
    by = 'the two features with the largest mean |SHAP value| (over the training sample)';
  } else {
    weight = new Float64Array(d);
    const x = new Float64Array(SPREAD_STEPS * d);
    for (let j = 0; j < d; j++) {
      for (let s = 0; s < SPREAD_STEPS; s++) {
        x.set(centre, s * d);
        x[s * d + j] = lo[j] + ((hi[j] - lo[j]) * s) / (SPREAD_STEPS - 1);
      }
      const scores = scoreSamples(forest, { data: x, rows: SPREAD_STEPS, cols: d });
      let min = Infinity;
      let max = -Infinity;
      for (const v of scores) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      weight[j] = max - min;
    }
    by =
      'the two features along which the anomaly score moves most across their training range (no explanations are available)';
  }
  const order = Array.from({ length: d }, (_, j) => j).sort(
    (a, b) => weight[b] - weight[a] || a - b,
  );
  const [x, y] = [Math.min(order[0], order[1]), Math.max(order[0], order[1])];
  return {
    x,
    y,
    how: `The model has ${d} features; the map shows ${by}, with the other ${d - 2} held at ${heldAt}.`,
  };
}
