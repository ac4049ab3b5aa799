import type { BinnedDistribution } from '../monitoring/training-reference';
import { coord, escapeXml, formatNumber } from './svg-text';

/** What {@link featureHistogramSvg} plots. */
export interface FeatureHistogramInput {
  readonly name: string;
  readonly reference: BinnedDistribution;
  /** Live rows per reference bin, or null. */
  readonly liveCounts: Float64Array | null;
  readonly psi: number | null;
  readonly drifting: boolean;
}

const W = 290;
const H = 180;
const M = { left: 36, right: 8, top: 30, bottom: 34 };

/**
 * One feature's reference bins (training shares, blue) beside the live window's shares in the
 * same bins (orange). Bins are drawn with equal widths (they are quantile bins: roughly equal
 * training shares), labelled with the first and last interior edges.
 */
export function featureHistogramSvg(input: FeatureHistogramInput): string {
  const ref = input.reference.proportions;
  const bins = ref.length;
  let live: Float64Array | null = null;
  if (input.liveCounts !== null) {
    const total = input.liveCounts.reduce((a, b) => a + b, 0);
    if (total > 0) live = input.liveCounts.map((c) => c / total);
  }
  let top = 0;
  for (let b = 0; b < bins; b++) top = Math.max(top, ref[b], live === null ? 0 : live[b]);
  top = top > 0 ? top * 1.1 : 1;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const bw = pw / bins;
  const sy = (v: number): number => M.top + ph - (v / top) * ph;
  const title = `${input.name}: PSI ${input.psi === null ? 'n/a' : formatNumber(input.psi)}`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart feature-histogram${input.drifting ? ' drifting' : ''}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(`Training and live shares of ${input.name} per reference bin`)}">`,
    `<text x="${M.left}" y="16" class="chart-title${input.drifting ? ' drifting' : ''}">${escapeXml(title)}</text>`,
    `<text x="${M.left - 4}" y="${coord(sy(0))}" text-anchor="end" class="tick">0</text>`,
    `<text x="${M.left - 4}" y="${coord(sy(top / 1.1))}" dy="0.32em" text-anchor="end" class="tick">${formatNumber((100 * top) / 1.1, 2)}%</text>`,
  ];
  for (let b = 0; b < bins; b++) {
    const x = M.left + b * bw;
    parts.push(
      `<rect x="${coord(x + 1)}" y="${coord(sy(ref[b]))}" width="${coord(bw / 2 - 1)}" height="${coord(M.top + ph - sy(ref[b]))}" fill="#9db4d6"/>`,
    );
    if (live !== null) {
      parts.push(
        `<rect class="live-bar" x="${coord(x + bw / 2)}" y="${coord(sy(live[b]))}" width="${coord(bw / 2 - 1)}" height="${coord(M.top + ph - sy(live[b]))}" fill="#e66101"/>`,
      );
    }
  }
  const edges = input.reference.edges;
  parts.push(
    `<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`,
  );
  if (edges.length > 0) {
    parts.push(
      `<text x="${coord(M.left + bw)}" y="${M.top + ph + 14}" text-anchor="middle" class="tick">${formatNumber(edges[0])}</text>`,
      `<text x="${coord(M.left + bw * edges.length)}" y="${M.top + ph + 14}" text-anchor="middle" class="tick">${formatNumber(edges[edges.length - 1])}</text>`,
    );
  }
  parts.push(
    `<text x="${coord(M.left + pw / 2)}" y="${H - 4}" text-anchor="middle" class="tick muted">training quantile bins (edges shown: first, last)</text>`,
    '</svg>',
  );
  return parts.join('');
}
