import { binIndex } from './bin-index';
import type { TrainingReference } from './training-reference';

/** Fixed-width bins of the live anomaly score histogram over [0, 1] (for the report). */
export const SCORE_HISTOGRAM_BINS = 50;

/** Blocks the window is split into: it forgets its oldest rows one block at a time. */
export const DEFAULT_WINDOW_BLOCKS = 20;

/** What the window holds, summed over its blocks (fresh arrays, safe to keep). */
export interface WindowCounts {
  /** Rows in the window. */
  readonly rows: number;
  /** Time (ms since the epoch) of the oldest row in the window, or null when it is empty. */
  readonly sinceMs: number | null;
  /** Rows flagged as anomalies. */
  readonly anomalies: number;
  /** Per feature, the rows in each of the reference's bins. */
  readonly featureCounts: readonly Float64Array[];
  /** Per feature, the sum of the values present (for the live mean). */
  readonly featureSums: Float64Array;
  /** Per feature, the rows with a value: the others had it missing (NaN). */
  readonly featurePresent: Float64Array;
  /** Rows in each of the reference's anomaly score bins. */
  readonly scoreCounts: Float64Array;
  /** Rows in each of {@link SCORE_HISTOGRAM_BINS} equal-width anomaly score bins over [0, 1]. */
  readonly scoreHistogram: Float64Array;
}

/**
 * The last rows a model scored, as bin counts in fixed memory: no row is kept. The window is a
 * ring of `blocks` blocks of `ceil(windowRows / blocks)` rows; each block holds, for its rows,
 * the count per reference bin of every feature and of the anomaly score, a 50-bin score
 * histogram, the anomaly count and the per-feature sums and present counts. A missing value
 * (NaN, for a model that accepts them) counts in its row and its feature's present count stays
 * put: it lands in no bin and adds nothing to the sum, as the training reference's bins and means
 * were computed over the values present. When the newest block is full, the
 * oldest one is cleared and becomes the newest, so the window always covers the most recent
 * rows: between `windowRows - blockRows` and `windowRows` of them once it has filled.
 *
 * Cost per scored row: one binary search in each feature's edges and in the score's (about four
 * comparisons for ten bins), a few increments and one addition per feature. Memory:
 * `blocks x (bins of every feature + score bins + 51 + features)` int32 plus `blocks x features`
 * float64,
 * fixed at construction ({@link byteLength}).
 *
 * Not synchronised: one window per process, fed from the event loop.
 */
export class DriftWindow {
  /** Rows per block. */
  readonly blockRows: number;
  private readonly blocks: number;
  private readonly nFeatures: number;
  private readonly featureEdges: readonly Float64Array[];
  private readonly scoreEdges: Float64Array;
  /** Start of each feature's bins within a block's counts; then the score bins, histogram, anomalies. */
  private readonly featureStart: Int32Array;
  private readonly scoreStart: number;
  private readonly histogramStart: number;
  private readonly anomalyAt: number;
  private readonly stride: number;
  private readonly counts: Int32Array;
  private readonly sums: Float64Array;
  private readonly present: Int32Array;
  private readonly rowsIn: Int32Array;
  private readonly since: Float64Array;
  private head = 0;

  /**
   * @param reference the training reference whose bins the window counts into
   * @param windowRows rows the window covers, at least 1
   * @param blocks granularity of forgetting (default {@link DEFAULT_WINDOW_BLOCKS}, at most windowRows)
   */
  constructor(
    readonly reference: TrainingReference,
    readonly windowRows: number,
    blocks = DEFAULT_WINDOW_BLOCKS,
  ) {
    if (!Number.isInteger(windowRows) || windowRows < 1) {
      throw new RangeError(`windowRows must be a positive integer, got ${windowRows}`);
    }
    this.blocks = Math.max(1, Math.min(blocks, windowRows));
    this.blockRows = Math.ceil(windowRows / this.blocks);
    this.nFeatures = reference.features.length;
    this.featureEdges = reference.features.map((f) => f.edges);
    this.scoreEdges = reference.score.edges;
    this.featureStart = new Int32Array(this.nFeatures);
    let at = 0;
    for (let j = 0; j < this.nFeatures; j++) {
      this.featureStart[j] = at;
      at += this.featureEdges[j].length + 1;
    }
    this.scoreStart = at;
    at += this.scoreEdges.length + 1;
    this.histogramStart = at;
    at += SCORE_HISTOGRAM_BINS;
    this.anomalyAt = at;
    this.stride = at + 1;
    this.counts = new Int32Array(this.blocks * this.stride);
    this.sums = new Float64Array(this.blocks * this.nFeatures);
    this.present = new Int32Array(this.blocks * this.nFeatures);
    this.rowsIn = new Int32Array(this.blocks);
    this.since = new Float64Array(this.blocks);
  }

  /** Bytes of the window's counters: fixed at construction, whatever it has seen. */
  get byteLength(): number {
    return (
      this.counts.byteLength +
      this.sums.byteLength +
      this.present.byteLength +
      this.rowsIn.byteLength +
      this.since.byteLength
    );
  }

  /**
   * Counts one scored row.
   *
   * @param values the row's feature values, read from `values[start ... start + nFeatures - 1]`
   * @param start index of the row's first value in `values`
   * @param anomalyScore the row's anomaly score (`-score_samples`)
   * @param isAnomaly whether the model flagged it
   * @param nowMs the time it was scored (ms since the epoch)
   */
  observe(
    values: ArrayLike<number>,
    start: number,
    anomalyScore: number,
    isAnomaly: boolean,
    nowMs: number,
  ): void {
    let block = this.head;
    if (this.rowsIn[block] === this.blockRows) block = this.advance();
    if (this.rowsIn[block] === 0) this.since[block] = nowMs;
    this.rowsIn[block]++;
    const base = block * this.stride;
    const counts = this.counts;
    const sumBase = block * this.nFeatures;
    for (let j = 0; j < this.nFeatures; j++) {
      const v = values[start + j];
      if (Number.isNaN(v)) continue;
      counts[base + this.featureStart[j] + binIndex(this.featureEdges[j], v)]++;
      this.sums[sumBase + j] += v;
      this.present[sumBase + j]++;
    }
    counts[base + this.scoreStart + binIndex(this.scoreEdges, anomalyScore)]++;
    let h = Math.floor(anomalyScore * SCORE_HISTOGRAM_BINS);
    if (!(h >= 0)) h = 0;
    else if (h >= SCORE_HISTOGRAM_BINS) h = SCORE_HISTOGRAM_BINS - 1;
    counts[base + this.histogramStart + h]++;
    if (isAnomaly) counts[base + this.anomalyAt]++;
  }

  /**
   * Counts the rows of a row-major matrix scored together.
   *
   * @param data `rows x nFeatures` values, row-major
   * @param scores the rows' `score_samples` (anomaly score = -score)
   * @param offset the model's offset (an anomaly when `score - offset < 0`)
   */
  observeRows(data: Float64Array, scores: Float64Array, offset: number, nowMs: number): void {
    const d = this.nFeatures;
    const counts = this.counts;
    const sums = this.sums;
    const present = this.present;
    const edges = this.featureEdges;
    const featureStart = this.featureStart;
    const scoreEdges = this.scoreEdges;
    const n = scores.length;
    let i = 0;
    while (i < n) {
      // Fill the current block (or the next one) with as many rows as it takes.
      let block = this.head;
      if (this.rowsIn[block] === this.blockRows) block = this.advance();
      if (this.rowsIn[block] === 0) this.since[block] = nowMs;
      const take = Math.min(n - i, this.blockRows - this.rowsIn[block]);
      this.rowsIn[block] += take;
      const base = block * this.stride;
      const scoreBase = base + this.scoreStart;
      const histogramBase = base + this.histogramStart;
      const sumBase = block * d;
      let anomalies = 0;
      for (const end = i + take; i < end; i++) {
        const row = i * d;
        for (let j = 0; j < d; j++) {
          const v = data[row + j];
          if (Number.isNaN(v)) continue;
          counts[base + featureStart[j] + binIndex(edges[j], v)]++;
          sums[sumBase + j] += v;
          present[sumBase + j]++;
        }
        const score = scores[i];
        const anomalyScore = -score;
        counts[scoreBase + binIndex(scoreEdges, anomalyScore)]++;
        let h = Math.floor(anomalyScore * SCORE_HISTOGRAM_BINS);
        if (!(h >= 0)) h = 0;
        else if (h >= SCORE_HISTOGRAM_BINS) h = SCORE_HISTOGRAM_BINS - 1;
        counts[histogramBase + h]++;
        if (score - offset < 0) anomalies++;
      }
      counts[base + this.anomalyAt] += anomalies;
    }
  }

  /** Forgets every row. */
  clear(): void {
    this.counts.fill(0);
    this.sums.fill(0);
    this.present.fill(0);
    this.rowsIn.fill(0);
    this.head = 0;
  }

  /** The window's content summed over its blocks. */
  read(): WindowCounts {
    const featureCounts = this.featureEdges.map((e) => new Float64Array(e.length + 1));
    const featureSums = new Float64Array(this.nFeatures);
    const featurePresent = new Float64Array(this.nFeatures);
    const scoreCounts = new Float64Array(this.scoreEdges.length + 1);
    const scoreHistogram = new Float64Array(SCORE_HISTOGRAM_BINS);
    let rows = 0;
    let anomalies = 0;
    let sinceMs: number | null = null;
    for (let b = 0; b < this.blocks; b++) {
      if (this.rowsIn[b] === 0) continue;
      rows += this.rowsIn[b];
      if (sinceMs === null || this.since[b] < sinceMs) sinceMs = this.since[b];
      const base = b * this.stride;
      for (let j = 0; j < this.nFeatures; j++) {
        const counts = featureCounts[j];
        const from = base + this.featureStart[j];
        for (let k = 0; k < counts.length; k++) counts[k] += this.counts[from + k];
        featureSums[j] += this.sums[b * this.nFeatures + j];
        featurePresent[j] += this.present[b * this.nFeatures + j];
      }
      for (let k = 0; k < scoreCounts.length; k++)
        scoreCounts[k] += this.counts[base + this.scoreStart + k];
      for (let k = 0; k < SCORE_HISTOGRAM_BINS; k++)
        scoreHistogram[k] += this.counts[base + this.histogramStart + k];
      anomalies += this.counts[base + this.anomalyAt];
    }
    return {
      rows,
      sinceMs,
      anomalies,
      featureCounts,
      featureSums,
      featurePresent,
      scoreCounts,
      scoreHistogram,
    };
  }

  /** Moves the head to the oldest block and clears it. */
  private advance(): number {
    const block = (this.head + 1) % this.blocks;
    this.counts.fill(0, block * this.stride, (block + 1) * this.stride);
    this.sums.fill(0, block * this.nFeatures, (block + 1) * this.nFeatures);
    this.present.fill(0, block * this.nFeatures, (block + 1) * this.nFeatures);
    this.rowsIn[block] = 0;
    this.head = block;
    return block;
  }
}
