import { fitIsolationForest, scoreSamples } from '../../../src/engine';
import {
  anomalyPercentile,
  binIndex,
  computeTrainingReference,
  DriftWindow,
  populationStabilityIndex,
  PSI_EPSILON,
  quantileBins,
  summarizeDrift,
} from '../../../src/monitoring';
import { syntheticServerData } from '../../../src/cli/synthetic-server-data';
import { driftCsv, driftExpected } from './drift-fixture';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's `gc()`, reached without `--expose-gc` on the command line (jest starts the workers). */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** JS heap plus ArrayBuffer backing stores (typed arrays of more than 64 bytes live outside it). */
function retainedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** The direct computation: share of `scores` <= s, in percent, floored to 0.1. */
function directPercentile(sortedScores: Float64Array, s: number): number {
  let count = 0;
  for (const v of sortedScores) if (v <= s) count++;
  return (Math.floor((1000 * count) / sortedScores.length) * 100) / 1000;
}

describe('anomalyPercentile against the direct computation on the training rows', () => {
  const { x } = syntheticServerData();
  const model = fitIsolationForest(x, { randomState: 42 });

  it.each([1000, 737, 3, 1])('is exact at 0.1 for every training score and probe (n = %i)', (n) => {
    const rows = { data: x.data.subarray(0, n * 2), rows: n, cols: 2 };
    const ref = computeTrainingReference(model.forest, model.offset, rows);
    const anomaly = scoreSamples(model.forest, rows).map((s) => -s);
    const sorted = Float64Array.from(anomaly).sort();
    const probes = [...sorted, 0, 1, 0.5, -1, 2];
    for (const s of sorted) probes.push(s - 1e-12, s + 1e-12);
    for (let k = 0; k <= 200; k++) probes.push(0.3 + k * 0.002);
    for (const s of probes) {
      expect(anomalyPercentile(ref.percentileScores, s)).toBe(directPercentile(sorted, s));
    }
    expect(anomalyPercentile(ref.percentileScores, sorted[n - 1])).toBe(100);
    expect(anomalyPercentile(ref.percentileScores, sorted[0] - 1e-9)).toBe(0);
  });

  it('is monotone in the anomaly score', () => {
    const ref = computeTrainingReference(model.forest, model.offset, x);
    let previous = -1;
    for (let s = 0; s <= 1; s += 0.0005) {
      const p = anomalyPercentile(ref.percentileScores, s);
      expect(p).toBeGreaterThanOrEqual(previous);
      previous = p;
    }
    expect(previous).toBe(100);
  });

  it('stores the training anomaly rate and a seeded sample of training rows', () => {
    const ref = computeTrainingReference(model.forest, model.offset, x, { seed: 42 });
    const scores = scoreSamples(model.forest, x);
    expect(ref.anomalyRate).toBe(scores.filter((s) => s + 0.5 < 0).length / 1000);
    expect(ref.sample?.rows).toBe(200);
    const again = computeTrainingReference(model.forest, model.offset, x, { seed: 42 });
    expect(again.sample?.data).toEqual(ref.sample?.data);
    const rowsSeen = new Set<string>();
    for (let i = 0; i < x.rows; i++) rowsSeen.add(`${x.data[2 * i]},${x.data[2 * i + 1]}`);
    for (let i = 0; i < 200; i++) {
      expect(rowsSeen.has(`${ref.sample!.data[2 * i]},${ref.sample!.data[2 * i + 1]}`)).toBe(true);
    }
    expect(computeTrainingReference(model.forest, model.offset, x, { sampleRows: 0 }).sample).toBe(
      null,
    );
  });
});

describe('quantile bins and PSI against numpy (test/fixtures/drift, scripts/gen-drift-fixtures.py)', () => {
  const expected = driftExpected();
  const train = driftCsv('train');

  it('gives numpy bin edges, training shares and statistics for every feature', () => {
    expected.features.forEach((f, j) => {
      const column = train.rows.map((r) => r[j]);
      const bins = quantileBins(column, expected.bins);
      expect([...bins.edges]).toEqual(f.edges);
      expect([...bins.proportions]).toEqual(f.proportions);
      expect(bins.min).toBe(f.min);
      expect(bins.max).toBe(f.max);
      expect(bins.median).toBe(f.median);
      expect(bins.mean).toBeCloseTo(f.mean, 10);
      expect(bins.std).toBeCloseTo(f.std, 10);
    });
  });

  it.each(['unshifted', 'shifted'] as const)(
    'counts %s live rows into numpy bins and matches numpy PSI (epsilon 1e-4)',
    (label) => {
      expect(PSI_EPSILON).toBe(expected.epsilon);
      const live = driftCsv(`live-${label}`);
      expected.features.forEach((f, j) => {
        const counts = new Array<number>(f.edges.length + 1).fill(0);
        const edges = Float64Array.from(f.edges);
        for (const row of live.rows) counts[binIndex(edges, row[j])]++;
        expect(counts).toEqual(expected.live[label][j].counts);
        expect(populationStabilityIndex(counts, f.proportions)).toBeCloseTo(
          expected.live[label][j].psi,
          12,
        );
      });
    },
  );

  it('the window over live rows gives numpy PSI, and drift only for the shifted feature', () => {
    const model = fitIsolationForest(train.x, { randomState: 7 });
    const ref = computeTrainingReference(model.forest, model.offset, train.x);
    const thresholds = { minRows: 500, psiThreshold: 0.2 };
    for (const label of ['unshifted', 'shifted'] as const) {
      const live = driftCsv(`live-${label}`);
      const window = new DriftWindow(ref, 10_000);
      window.observeRows(live.x.data, scoreSamples(model.forest, live.x), model.offset, 1000);
      const summary = summarizeDrift(ref, window.read(), train.names, thresholds);
      expect(summary.rows).toBe(1000);
      summary.features.forEach((f, j) => {
        expect(f.psi).toBeCloseTo(expected.live[label][j].psi, 12);
        expect(f.liveMean).toBeCloseTo(expected.live[label][j].mean, 9);
        expect(f.referenceMean).toBeCloseTo(expected.features[j].mean, 10);
      });
      if (label === 'shifted') {
        expect(summary.features[1].psi).toBeGreaterThan(0.25);
        expect(summary.features.map((f) => f.drifting)).toEqual([false, true, false]);
        expect(summary.status).toBe('drift');
      } else {
        for (const f of summary.features) expect(f.psi).toBeLessThan(0.1);
        expect(summary.scorePsi).toBeLessThan(0.1);
        expect(summary.status).toBe('ok');
      }
    }
  });

  it('says insufficient_data below MONITOR_MIN_ROWS, even for shifted rows', () => {
    const model = fitIsolationForest(train.x, { randomState: 7 });
    const ref = computeTrainingReference(model.forest, model.offset, train.x);
    const live = driftCsv('live-shifted');
    const window = new DriftWindow(ref, 10_000);
    const few = { data: live.x.data.subarray(0, 499 * 3), rows: 499, cols: 3 };
    window.observeRows(few.data, scoreSamples(model.forest, few), model.offset, 5);
    const summary = summarizeDrift(ref, window.read(), train.names, {
      minRows: 500,
      psiThreshold: 0.2,
    });
    expect(summary.status).toBe('insufficient_data');
    expect(summary.features[1].psi).toBeGreaterThan(0.25);
    expect(summary.sinceMs).toBe(5);
  });
});

describe('DriftWindow', () => {
  const train = driftCsv('train');
  const model = fitIsolationForest(train.x, { randomState: 7 });
  const ref = computeTrainingReference(model.forest, model.offset, train.x);

  it('holds exactly the most recent rows, forgetting a block at a time', () => {
    const window = new DriftWindow(ref, 100, 4); // blocks of 25 rows
    const rows = train.rows;
    const scores = scoreSamples(model.forest, train.x);
    for (let i = 0; i < 160; i++) {
      window.observe(train.x.data, i * 3, -scores[i], scores[i] + 0.5 < 0, i);
    }
    // 160 rows: blocks hold rows 75-99, 100-124, 125-149, 150-159 (the oldest was cleared).
    const read = window.read();
    expect(read.rows).toBe(85);
    expect(read.sinceMs).toBe(75);
    ref.features.forEach((f, j) => {
      const counts = new Float64Array(f.edges.length + 1);
      let sum = 0;
      for (let i = 75; i < 160; i++) {
        counts[binIndex(f.edges, rows[i][j])]++;
        sum += rows[i][j];
      }
      expect(read.featureCounts[j]).toEqual(counts);
      expect(read.featureSums[j]).toBeCloseTo(sum, 9);
    });
    window.clear();
    expect(window.read().rows).toBe(0);
    expect(window.read().sinceMs).toBe(null);
  });

  it('keeps its memory constant after 1M scored rows', () => {
    const window = new DriftWindow(ref, 10_000);
    const bytes = window.byteLength;
    const scores = scoreSamples(model.forest, train.x);
    // Retained memory only: compile the loop first, and collect garbage before each reading
    // (without it, what the JIT and the test runner allocate meanwhile made this flaky).
    const gc = exposedGc();
    for (let r = 0; r < 20; r++) window.observeRows(train.x.data, scores, model.offset, r);
    gc();
    const heapBefore = retainedBytes();
    for (let r = 0; r < 1000; r++) window.observeRows(train.x.data, scores, model.offset, r);
    gc();
    const heapAfter = retainedBytes();
    const read = window.read();
    expect(read.rows).toBe(10_000);
    expect(read.featureCounts[0].reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(window.byteLength).toBe(bytes);
    // 20 blocks x (3 features x 10 bins + 10 score bins + 50 histogram + 1) int32 + sums, rows, times.
    expect(bytes).toBe(20 * 91 * 4 + 20 * 3 * 8 + 20 * 3 * 4 + 20 * 4 + 20 * 8);
    // Nothing per row is kept: the heap grows by far less than one byte per row scored.
    expect(heapAfter - heapBefore).toBeLessThan(1_000_000);
  });

  it('leaves missing values (NaN) out of the bins, sums and PSI, and counts their share', () => {
    const n = 600;
    const live = driftCsv('live-shifted');
    const full = { data: live.x.data.slice(0, n * 3), rows: n, cols: 3 };
    // Every third row misses feature 1, every fifth feature 2; feature 0 is always present.
    const holed = { data: full.data.slice(), rows: n, cols: 3 };
    for (let i = 0; i < n; i++) {
      if (i % 3 === 0) holed.data[i * 3 + 1] = NaN;
      if (i % 5 === 0) holed.data[i * 3 + 2] = NaN;
    }
    const scores = scoreSamples(model.forest, full);
    const batch = new DriftWindow(ref, 10_000);
    batch.observeRows(holed.data, scores, model.offset, 1);
    const single = new DriftWindow(ref, 10_000);
    for (let i = 0; i < n; i++) {
      single.observe(holed.data, i * 3, -scores[i], scores[i] - model.offset < 0, 1);
    }
    const read = batch.read();
    expect(single.read()).toEqual(read);
    expect(read.rows).toBe(n);
    expect(Array.from(read.featurePresent)).toEqual([n, n - 200, n - 120]);
    ref.features.forEach((f, j) => {
      // The direct computation over the values present only.
      const counts = new Float64Array(f.edges.length + 1);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = holed.data[i * 3 + j];
        if (Number.isNaN(v)) continue;
        counts[binIndex(f.edges, v)]++;
        sum += v;
      }
      expect(read.featureCounts[j]).toEqual(counts);
      expect(read.featureSums[j]).toBeCloseTo(sum, 9);
    });
    const summary = summarizeDrift(ref, read, train.names, { minRows: 500, psiThreshold: 0.2 });
    expect(summary.features.map((f) => f.missingShare)).toEqual([0, 200 / n, 120 / n]);
    summary.features.forEach((f, j) => {
      expect(f.liveMean).not.toBeNull();
      expect(Number.isFinite(f.liveMean)).toBe(true);
      expect(f.liveMean).toBeCloseTo(read.featureSums[j] / read.featurePresent[j], 12);
      expect(Number.isFinite(f.psi)).toBe(true);
    });
    // A feature missing from every row has no live mean and no PSI, and drifts from nothing.
    const empty = new DriftWindow(ref, 10_000);
    const allMissing = full.data.slice();
    for (let i = 0; i < n; i++) allMissing[i * 3 + 2] = NaN;
    empty.observeRows(allMissing, scores, model.offset, 1);
    const none = summarizeDrift(ref, empty.read(), train.names, { minRows: 1, psiThreshold: 0.2 });
    expect(none.features[2]).toMatchObject({
      liveMean: null,
      psi: null,
      missingShare: 1,
      drifting: false,
    });
  });
});
