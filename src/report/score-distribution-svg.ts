import { SCORE_HISTOGRAM_BINS } from '../monitoring/drift-window';
import { niceTicks } from './nice-ticks';
import { coord, formatNumber } from './svg-text';

/** What {@link scoreDistributionSvg} plots. */
export interface ScoreDistributionInput {
  /** The reference's percentile table (1000 anomaly scores), or null. */
  readonly percentileScores: Float64Array | null;
  /** The live window's 50-bin anomaly score histogram over [0, 1], or null. */
  readonly liveHistogram: Float64Array | null;
  /** Anomaly score threshold (`-offset`). */
  readonly threshold: number;
}

const W = 600;
const H = 300;
const M = { left: 56, right: 16, top: 40, bottom: 46 };

/**
 * The anomaly score distribution as SVG: training rows (from the percentile table, each entry
 * 0.1% of the rows) as bars and the live window as a step line, both as shares per bin of
 * width 0.02, with the threshold as a dashed line.
 */
export function scoreDistributionSvg(input: ScoreDistributionInput): string {
  const bins = SCORE_HISTOGRAM_BINS;
  const train = new Float64Array(bins);
  if (input.percentileScores !== null) {
    const table = input.percentileScores;
    for (const t of table)
      train[Math.min(bins - 1, Math.max(0, Math.floor(t * bins)))] += 1 / table.length;
  }
  let live: Float64Array | null = null;
  if (input.liveHistogram !== null) {
    const total = input.liveHistogram.reduce((a, b) => a + b, 0);
    if (total > 0) live = input.liveHistogram.map((c) => c / total);
  }
  let first = Math.min(bins - 1, Math.floor(input.threshold * bins));
  let last = first;
  for (let b = 0; b < bins; b++) {
    if (train[b] > 0 || (live !== null && live[b] > 0)) {
      first = Math.min(first, b);
      last = Math.max(last, b);
    }
  }
  first = Math.max(0, first - 1);
  last = Math.min(bins - 1, last + 1);
  const x0 = first / bins;
  const x1 = (last + 1) / bins;
  let top = 0;
  for (let b = first; b <= last; b++) top = Math.max(top, train[b], live === null ? 0 : live[b]);
  top = top > 0 ? top * 1.1 : 1;

  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (v: number): number => M.left + ((v - x0) / (x1 - x0)) * pw;
  const sy = (v: number): number => M.top + ph - (v / top) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="score-distribution" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="score-distribution-title">`,
    '<title id="score-distribution-title">Anomaly score distribution: training rows, live rows and the threshold</title>',
  ];
  for (const t of niceTicks(0, top * 100, 4)) {
    const py = coord(sy(t / 100));
    parts.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${py}" y2="${py}" stroke="#e4e4e4"/>`,
      `<text x="${M.left - 6}" y="${py}" dy="0.32em" text-anchor="end" class="tick">${formatNumber(t)}%</text>`,
    );
  }
  parts.push('<g class="training-bars">');
  for (let b = first; b <= last; b++) {
    if (train[b] === 0) continue;
    const left = sx(b / bins);
    parts.push(
      `<rect x="${coord(left + 0.5)}" y="${coord(sy(train[b]))}" width="${coord(sx((b + 1) / bins) - left - 1)}" height="${coord(M.top + ph - sy(train[b]))}" fill="#9db4d6"/>`,
    );
  }
  parts.push('</g>');
  if (live !== null) {
    let d = `M${coord(sx(first / bins))} ${coord(sy(0))}`;
    for (let b = first; b <= last; b++) {
      d += `V${coord(sy(live[b]))}H${coord(sx((b + 1) / bins))}`;
    }
    d += `V${coord(sy(0))}`;
    parts.push(
      `<path id="live-score-line" d="${d}" fill="none" stroke="#e66101" stroke-width="2"/>`,
    );
  }
  const tx = coord(sx(input.threshold));
  parts.push(
    `<line id="score-threshold" x1="${tx}" x2="${tx}" y1="${M.top - 6}" y2="${M.top + ph}" stroke="#111" stroke-width="1.5" stroke-dasharray="5 3"/>`,
    `<text x="${tx}" y="${M.top - 10}" text-anchor="middle" class="tick">threshold ${formatNumber(input.threshold)}</text>`,
    `<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`,
  );
  for (const t of niceTicks(x0, x1, 6)) {
    const px = coord(sx(t));
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="#333"/>`,
      `<text x="${px}" y="${M.top + ph + 18}" text-anchor="middle" class="tick">${formatNumber(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${coord(M.left + pw / 2)}" y="${H - 8}" text-anchor="middle" class="axis-label">anomaly score (bins of 0.02)</text>`,
    `<rect x="${M.left + 8}" y="10" width="14" height="10" fill="#9db4d6"/>`,
    `<text x="${M.left + 28}" y="15" dy="0.32em" class="tick">training rows${input.percentileScores === null ? ' (no reference)' : ''}</text>`,
    `<line x1="${M.left + 150}" x2="${M.left + 166}" y1="15" y2="15" stroke="#e66101" stroke-width="2"/>`,
    `<text x="${M.left + 172}" y="15" dy="0.32em" class="tick">live rows${live === null ? ' (none yet)' : ''}</text>`,
    '</svg>',
  );
  return parts.join('');
}
