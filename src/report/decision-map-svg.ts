import type { FlatForest } from '../engine/forest';
import type { DenseMatrix } from '../engine/matrix';
import { scoreSamples } from '../engine/score';
import { contourSegments } from './contour-segments';
import { niceTicks } from './nice-ticks';
import { coord, escapeXml, formatNumber } from './svg-text';

/** What {@link decisionMapSvg} plots. */
export interface DecisionMapInput {
  readonly forest: FlatForest;
  readonly offset: number;
  /** Columns on the horizontal and vertical axes, and their names. */
  readonly x: number;
  readonly y: number;
  readonly xName: string;
  readonly yName: string;
  /** Values of every feature for the grid; the two plotted columns are overwritten. */
  readonly centre: Float64Array;
  /** Plot extent per axis. */
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  /** Training rows to draw as points (all columns), or null. */
  readonly sample: DenseMatrix | null;
}

/** Grid points per axis: the map is scored at 64 x 64 = 4096 points. */
export const MAP_GRID = 64;

/** Sequential palette from normal (light) to anomalous (dark red), ColorBrewer YlOrRd. */
const PALETTE = [
  '#ffffcc',
  '#ffeda0',
  '#fed976',
  '#feb24c',
  '#fd8d3c',
  '#fc4e2a',
  '#e31a1c',
  '#bd0026',
  '#800026',
];

const W = 660;
const H = 470;
const M = { left: 64, right: 170, top: 16, bottom: 52 };

/**
 * The decision map as SVG: the anomaly score (`-score_samples`) over the plane of two features
 * (a 64 x 64 grid, each row of cells drawn as runs of equal colour), the threshold contour
 * (marching squares at `anomaly score = -offset`, where the prediction flips), the sample of
 * training points coloured by their prediction, axes and a colour legend.
 */
export function decisionMapSvg(input: DecisionMapInput): string {
  const { forest, offset, x, y, centre, xRange, yRange } = input;
  const d = forest.nFeatures;
  const n = MAP_GRID;
  const grid = new Float64Array(n * n * d);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const at = (j * n + i) * d;
      grid.set(centre, at);
      grid[at + x] = xRange[0] + ((xRange[1] - xRange[0]) * (i + 0.5)) / n;
      grid[at + y] = yRange[0] + ((yRange[1] - yRange[0]) * (j + 0.5)) / n;
    }
  }
  const anomaly = scoreSamples(forest, { data: grid, rows: n * n, cols: d }).map((s) => -s);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of anomaly) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) hi = lo + 1e-9;
  const level = (v: number): number =>
    Math.min(PALETTE.length - 1, Math.floor(((v - lo) / (hi - lo)) * PALETTE.length));

  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const cw = pw / n;
  const ch = ph / n;
  const sx = (v: number): number => M.left + ((v - xRange[0]) / (xRange[1] - xRange[0])) * pw;
  const sy = (v: number): number => M.top + ph - ((v - yRange[0]) / (yRange[1] - yRange[0])) * ph;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" id="decision-map" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="decision-map-title">`,
    `<title id="decision-map-title">Anomaly score over ${escapeXml(input.xName)} and ${escapeXml(input.yName)}, with the threshold contour and training points</title>`,
  );
  // Cells, one rect per run of equal colour along a row (grid row j is drawn from the bottom).
  parts.push('<g class="cells" shape-rendering="crispEdges">');
  for (let j = 0; j < n; j++) {
    let i = 0;
    while (i < n) {
      const c = level(anomaly[j * n + i]);
      let k = i + 1;
      while (k < n && level(anomaly[j * n + k]) === c) k++;
      parts.push(
        `<rect x="${coord(M.left + i * cw)}" y="${coord(M.top + ph - (j + 1) * ch)}" width="${coord((k - i) * cw + 0.3)}" height="${coord(ch + 0.3)}" fill="${PALETTE[c]}"/>`,
      );
      i = k;
    }
  }
  parts.push('</g>');

  // Threshold contour on the grid of cell centres.
  const threshold = -offset;
  const segments = contourSegments(anomaly, n, n, threshold);
  const gx = (i: number): number => M.left + (i + 0.5) * cw;
  const gy = (j: number): number => M.top + ph - (j + 0.5) * ch;
  const path = segments
    .map(
      ([x1, y1, x2, y2]) => `M${coord(gx(x1))} ${coord(gy(y1))}L${coord(gx(x2))} ${coord(gy(y2))}`,
    )
    .join('');
  parts.push(
    `<path id="threshold-contour" d="${path}" fill="none" stroke="#111" stroke-width="2" stroke-linecap="round"/>`,
  );

  // Training sample, coloured by the model's prediction.
  if (input.sample !== null && input.sample.rows > 0) {
    const s = input.sample;
    const scores = scoreSamples(forest, s);
    parts.push('<g class="points">');
    for (let r = 0; r < s.rows; r++) {
      const px = s.data[r * d + x];
      const py = s.data[r * d + y];
      if (px < xRange[0] || px > xRange[1] || py < yRange[0] || py > yRange[1]) continue;
      const flagged = scores[r] - offset < 0;
      parts.push(
        `<circle cx="${coord(sx(px))}" cy="${coord(sy(py))}" r="2.6" fill="${flagged ? '#ffffff' : '#1f3b73'}" stroke="${flagged ? '#1f3b73' : '#ffffff'}" stroke-width="0.8"/>`,
      );
    }
    parts.push('</g>');
  }

  // Frame and axes.
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${coord(pw)}" height="${coord(ph)}" fill="none" stroke="#333"/>`,
  );
  for (const t of niceTicks(xRange[0], xRange[1], 6)) {
    const px = coord(sx(t));
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="#333"/>`,
      `<text x="${px}" y="${M.top + ph + 18}" text-anchor="middle" class="tick">${formatNumber(t)}</text>`,
    );
  }
  for (const t of niceTicks(yRange[0], yRange[1], 6)) {
    const py = coord(sy(t));
    parts.push(
      `<line x1="${M.left - 5}" x2="${M.left}" y1="${py}" y2="${py}" stroke="#333"/>`,
      `<text x="${M.left - 8}" y="${py}" dy="0.32em" text-anchor="end" class="tick">${formatNumber(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${coord(M.left + pw / 2)}" y="${H - 10}" text-anchor="middle" class="axis-label">${escapeXml(input.xName)}</text>`,
    `<text transform="translate(16 ${coord(M.top + ph / 2)}) rotate(-90)" text-anchor="middle" class="axis-label">${escapeXml(input.yName)}</text>`,
  );

  // Legend: the colour scale with the threshold marked, then the point and contour keys.
  const lx = W - M.right + 24;
  const lh = ph * 0.62;
  const step = lh / PALETTE.length;
  parts.push(`<text x="${lx}" y="${M.top + 4}" class="legend-title">anomaly score</text>`);
  PALETTE.forEach((colour, k) => {
    const top = M.top + 12 + lh - (k + 1) * step;
    parts.push(
      `<rect x="${lx}" y="${coord(top)}" width="16" height="${coord(step + 0.3)}" fill="${colour}"/>`,
    );
  });
  const ly = (v: number): number => M.top + 12 + lh - ((v - lo) / (hi - lo)) * lh;
  for (const v of [lo, hi]) {
    parts.push(
      `<text x="${lx + 22}" y="${coord(ly(v))}" dy="0.32em" class="tick">${formatNumber(v)}</text>`,
    );
  }
  if (threshold > lo && threshold < hi) {
    const ty = coord(ly(threshold));
    parts.push(
      `<line x1="${lx - 4}" x2="${lx + 20}" y1="${ty}" y2="${ty}" stroke="#111" stroke-width="2"/>`,
      `<text x="${lx + 22}" y="${ty}" dy="0.32em" class="tick">${formatNumber(threshold)} threshold</text>`,
    );
  }
  const ky = M.top + lh + 40;
  parts.push(
    `<line x1="${lx}" x2="${lx + 16}" y1="${ky}" y2="${ky}" stroke="#111" stroke-width="2"/>`,
    `<text x="${lx + 22}" y="${ky}" dy="0.32em" class="tick">threshold</text>`,
  );
  if (input.sample !== null) {
    parts.push(
      `<circle cx="${lx + 8}" cy="${ky + 20}" r="3" fill="#1f3b73" stroke="#fff"/>`,
      `<text x="${lx + 22}" y="${ky + 20}" dy="0.32em" class="tick">training, normal</text>`,
      `<circle cx="${lx + 8}" cy="${ky + 38}" r="3" fill="#fff" stroke="#1f3b73"/>`,
      `<text x="${lx + 22}" y="${ky + 38}" dy="0.32em" class="tick">training, flagged</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
