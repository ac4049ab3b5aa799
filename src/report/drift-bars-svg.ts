import { niceTicks } from './nice-ticks';
import { coord, escapeXml, formatNumber } from './svg-text';

/** One bar of {@link driftBarsSvg}. */
export interface DriftBar {
  readonly name: string;
  /** PSI, or null when there are no live rows. */
  readonly psi: number | null;
}

const W = 600;
const ROW = 26;
const M = { left: 150, right: 70, top: 14, bottom: 40 };

/**
 * Per-feature PSI as horizontal bars against the drift threshold (a dashed line): bars above
 * it are red, the others blue; a missing PSI is written as "no live rows".
 */
export function driftBarsSvg(bars: readonly DriftBar[], threshold: number): string {
  const H = M.top + M.bottom + ROW * bars.length;
  const pw = W - M.left - M.right;
  let max = threshold * 1.5;
  for (const b of bars) if (b.psi !== null && b.psi > max) max = b.psi;
  max *= 1.05;
  const sx = (v: number): number => M.left + (Math.min(v, max) / max) * pw;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="drift-bars" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="drift-bars-title">`,
    '<title id="drift-bars-title">Population stability index per feature and for the anomaly score, against the drift threshold</title>',
  ];
  for (const t of niceTicks(0, max, 5)) {
    const px = coord(sx(t));
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${M.top}" y2="${H - M.bottom}" stroke="#e4e4e4"/>`,
      `<text x="${px}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${formatNumber(t)}</text>`,
    );
  }
  bars.forEach((b, k) => {
    const y = M.top + k * ROW;
    parts.push(
      `<text x="${M.left - 8}" y="${y + ROW / 2}" dy="0.32em" text-anchor="end" class="tick">${escapeXml(b.name)}</text>`,
    );
    if (b.psi === null) {
      parts.push(
        `<text x="${M.left + 4}" y="${y + ROW / 2}" dy="0.32em" class="tick muted">no live rows</text>`,
      );
      return;
    }
    const drifting = b.psi > threshold;
    parts.push(
      `<rect class="psi-bar${drifting ? ' drifting' : ''}" x="${M.left}" y="${y + 4}" width="${coord(Math.max(1, sx(b.psi) - M.left))}" height="${ROW - 8}" fill="${drifting ? '#d7301f' : '#4a78b5'}"/>`,
      `<text x="${coord(sx(b.psi) + 6)}" y="${y + ROW / 2}" dy="0.32em" class="tick">${formatNumber(b.psi)}</text>`,
    );
  });
  const tx = coord(sx(threshold));
  parts.push(
    `<line x1="${tx}" x2="${tx}" y1="${M.top - 4}" y2="${H - M.bottom}" stroke="#111" stroke-width="1.5" stroke-dasharray="5 3"/>`,
    `<text x="${coord(M.left + pw / 2)}" y="${H - 6}" text-anchor="middle" class="axis-label">PSI (dashed: drift threshold ${formatNumber(threshold)})</text>`,
    '</svg>',
  );
  return parts.join('');
}
