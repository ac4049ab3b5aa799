import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeArtifact } from '../../../src/artifact';
import { fitIsolationForest, scoreSamples } from '../../../src/engine';
import { computeTrainingReference, DriftWindow } from '../../../src/monitoring';
import {
  buildReportInput,
  chooseMapFeatures,
  contourSegments,
  renderReportHtml,
  REPORT_CSS,
  REPORT_STYLE_HASH,
} from '../../../src/report';
import { createHash } from 'node:crypto';
import { meanAbsShap } from '../../../src/report/mean-abs-shap';
import { driftCsv } from '../monitoring/drift-fixture';

describe('contourSegments (marching squares)', () => {
  it('traces a circle level set of a radial function within the grid spacing', () => {
    const n = 41;
    const values = new Float64Array(n * n);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) values[j * n + i] = Math.hypot(i - 20, j - 20);
    const segments = contourSegments(values, n, n, 10);
    expect(segments.length).toBeGreaterThan(40);
    for (const [x1, y1, x2, y2] of segments) {
      expect(Math.abs(Math.hypot(x1 - 20, y1 - 20) - 10)).toBeLessThan(0.1);
      expect(Math.abs(Math.hypot(x2 - 20, y2 - 20) - 10)).toBeLessThan(0.1);
    }
  });

  it('gives nothing when the level is outside the values', () => {
    expect(contourSegments(new Float64Array([1, 2, 3, 4]), 2, 2, 5)).toEqual([]);
  });
});

describe('chooseMapFeatures', () => {
  const train = driftCsv('train');
  const model = fitIsolationForest(train.x, { randomState: 7 });
  const ref = computeTrainingReference(model.forest, model.offset, train.x);
  const centre = Float64Array.from(ref.features, (f) => f.median);
  const lo = Float64Array.from(ref.features, (f) => f.min);
  const hi = Float64Array.from(ref.features, (f) => f.max);

  it('takes the two largest mean |SHAP| features when explanations exist, and says so', () => {
    const choice = chooseMapFeatures(
      model.forest,
      centre,
      lo,
      hi,
      Float64Array.of(0.1, 0.5, 0.3),
      'medians',
    );
    expect([choice.x, choice.y]).toEqual([1, 2]);
    expect(choice.how).toMatch(/largest mean \|SHAP value\|.*other 1 held at medians/);
  });

  it('else the two along which the score moves most, computed from the model', () => {
    const choice = chooseMapFeatures(model.forest, centre, lo, hi, null, 'medians');
    const spread = [0, 1, 2].map((j) => {
      const rows = new Float64Array(25 * 3);
      for (let s = 0; s < 25; s++) {
        rows.set(centre, s * 3);
        rows[s * 3 + j] = lo[j] + ((hi[j] - lo[j]) * s) / 24;
      }
      const scores = scoreSamples(model.forest, { data: rows, rows: 25, cols: 3 });
      return Math.max(...scores) - Math.min(...scores);
    });
    const order = [0, 1, 2].sort((a, b) => spread[b] - spread[a]);
    expect([choice.x, choice.y]).toEqual(order.slice(0, 2).sort());
    expect(choice.how).toMatch(/no explanations are available/);
  });
});

describe('renderReportHtml', () => {
  it('allows exactly its stylesheet by hash and carries no script', () => {
    const model = decodeArtifact(
      readFileSync(join(__dirname, '..', '..', '..', 'model-artifacts', 'anomaly-detector.json')),
    );
    const html = renderReportHtml(
      buildReportInput(model, {
        counts: null,
        liveLabel: 'none',
        psiThreshold: 0.2,
        minRows: 500,
        generatedAt: '2026-12-04T00:00:00.000Z',
      }),
    );
    expect(REPORT_STYLE_HASH).toBe(
      `'sha256-${createHash('sha256').update(REPORT_CSS).digest('base64')}'`,
    );
    expect(html).toContain(`<style>${REPORT_CSS}</style>`);
    expect(html).toContain(`style-src ${REPORT_STYLE_HASH.replace(/'/g, '&#39;')}`);
    expect(html).not.toMatch(/<script|style="/);
    expect(html).toContain('Status: insufficient_data.');
  });

  it('shows a three-feature model with the map over two features and drift for the shifted one', () => {
    const train = driftCsv('train');
    const model = fitIsolationForest(train.x, { randomState: 7 });
    const reference = computeTrainingReference(model.forest, model.offset, train.x);
    const live = driftCsv('live-shifted');
    const window = new DriftWindow(reference, 10_000);
    window.observeRows(live.x.data, scoreSamples(model.forest, live.x), model.offset, 0);
    const artifact = {
      formatVersion: 2,
      modelVersion: 'test-3',
      createdAt: '2026-12-04T00:00:00.000Z',
      params: model.options,
      featureNames: train.names,
      nFeatures: 3,
      offset: model.offset,
      forest: model.forest,
      nTrainingSamples: 1000,
      trainingScoreQuantiles: null,
      featureMin: null,
      featureMax: null,
      reference,
      source: { format: 'native' as const },
      sha256: '0'.repeat(64),
    };
    const html = renderReportHtml(
      buildReportInput(artifact, {
        counts: window.read(),
        liveLabel: 'live-shifted.csv',
        psiThreshold: 0.2,
        minRows: 500,
        generatedAt: '2026-12-04T00:00:00.000Z',
      }),
    );
    expect(html).toContain(
      'The model has 3 features; the map shows the two features with the largest mean |SHAP value|',
    );
    expect(html).toContain('held at their training medians');
    // The shift moves the score too (the rows sit off the training data), not cpu_usage or disk_io.
    expect(html).toContain(
      'Status: drift.</strong> PSI above 0.2 for the anomaly score, memory_load over 1,000 live rows',
    );
    expect((html.match(/class="psi-bar drifting"/g) ?? []).length).toBe(2);
    expect(html).toMatch(/<tr class="drifting"><td>memory_load<\/td>/);
  });
});

describe('the decision map of a model with more than two features uses explanations when it can', () => {
  it('plots the two features with the largest mean |SHAP| over the training sample', () => {
    const train = driftCsv('train');
    const model = fitIsolationForest(train.x, { randomState: 7 });
    const reference = computeTrainingReference(model.forest, model.offset, train.x);
    const importance = meanAbsShap(model.forest, reference.sample);
    expect(importance).not.toBe(null);
    const order = [0, 1, 2].sort((a, b) => importance![b] - importance![a]);
    const choice = chooseMapFeatures(
      model.forest,
      Float64Array.from(reference.features, (f) => f.median),
      Float64Array.from(reference.features, (f) => f.min),
      Float64Array.from(reference.features, (f) => f.max),
      importance,
      'their training medians',
    );
    expect([choice.x, choice.y]).toEqual(order.slice(0, 2).sort());
    expect(choice.how).toMatch(/largest mean \|SHAP value\| \(over the training sample\)/);
  });
});
