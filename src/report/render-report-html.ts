import { createHash } from 'node:crypto';
import { chooseMapFeatures } from './choose-map-features';
import { decisionMapSvg } from './decision-map-svg';
import { driftBarsSvg } from './drift-bars-svg';
import { featureHistogramSvg } from './feature-histogram-svg';
import type { ReportInput } from './report-input';
import { scoreDistributionSvg } from './score-distribution-svg';
import { escapeXml, formatNumber } from './svg-text';

/** The page's only stylesheet; its sha256 is what the CSP allows (no `unsafe-inline`). */
export const REPORT_CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
main{max-width:1240px;margin:0 auto;padding:20px 28px 40px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#555;margin:0 0 14px}.muted{fill:#777;color:#777}
.status{padding:10px 14px;border-radius:6px;margin:10px 0;border:1px solid}
.status.ok{background:#e8f5e9;border-color:#7cb77f}.status.drift{background:#fdecea;border-color:#e0796d}
.status.insufficient_data,.status.no_reference{background:#fff8e1;border-color:#d9b650}
.row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.panel{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:10px 12px}
.panel p{max-width:560px;margin:6px 0}.panel.side{max-width:440px}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.drifting td{color:#b3261e;font-weight:600}
.grid{display:flex;flex-wrap:wrap;gap:10px}
svg.chart{background:#fff;font-size:11px}
svg .tick{font-size:11px;fill:#333}svg .axis-label{font-size:12px;fill:#111}
svg .legend-title,svg .chart-title{font-size:12px;font-weight:600;fill:#111}svg .chart-title.drifting{fill:#b3261e}
code{background:#f0f0f0;padding:0 3px;border-radius:3px}`;

/** `sha256-...` source expression of {@link REPORT_CSS}, for the CSP. */
export const REPORT_STYLE_HASH = `'sha256-${createHash('sha256').update(REPORT_CSS, 'utf8').digest('base64')}'`;

/**
 * The Content-Security-Policy the report is served with (and repeats in a meta element, so the
 * offline file is held to it too): nothing may load, no script may run, only the page's own
 * stylesheet applies.
 */
export const REPORT_CSP_DIRECTIVES: Readonly<Record<string, string[]>> = Object.freeze({
  'default-src': ["'none'"],
  'style-src': [REPORT_STYLE_HASH],
  'img-src': ['data:'],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
});

/** Features drawn as histograms at most (the ones with the largest PSI first when there are more). */
const MAX_HISTOGRAMS = 12;

/**
 * The model report as one self-contained HTML page: inline SVG charts (decision map, score
 * distribution, PSI bars, per-feature histograms) and tables, one stylesheet allowed by hash,
 * no scripts, fonts, images or links to load.
 */
export function renderReportHtml(input: ReportInput): string {
  const { reference, live } = input;
  const threshold = -input.offset;
  const meta = Object.entries(REPORT_CSP_DIRECTIVES)
    .filter(([name]) => name !== 'frame-ancestors') // ignored (with a warning) in a meta element
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
  const body: string[] = [];
  body.push(
    `<h1>Model report: ${escapeXml(input.modelVersion)}</h1>`,
    `<p class="sub">Generated ${escapeXml(input.generatedAt)}. Live rows: ${escapeXml(input.liveLabel)}.</p>`,
    statusHtml(input),
  );

  body.push(
    '<h2>Decision map</h2>',
    `<div class="row"><div class="panel">${mapHtml(input)}</div></div>`,
  );

  const observed = live?.drift.anomalyRateObserved ?? null;
  body.push(
    '<h2>Anomaly score distribution</h2>',
    '<div class="row"><div class="panel">',
    scoreDistributionSvg({
      percentileScores: reference?.percentileScores ?? null,
      liveHistogram: live?.counts.scoreHistogram ?? null,
      threshold,
    }),
    '</div><div class="panel side"><table id="score-summary"><tbody>',
    tr('threshold (anomaly score above it: anomaly)', formatNumber(threshold, 6)),
    tr(
      'anomaly rate, training (expected)',
      reference === null ? 'unknown' : percent(reference.anomalyRate),
    ),
    tr('anomaly rate, live (observed)', observed === null ? 'no live rows' : percent(observed)),
    tr('live rows', live === null ? '0' : live.counts.rows.toLocaleString('en-US')),
    tr(
      'score PSI',
      live?.drift.scorePsi === null || live === null ? 'n/a' : formatNumber(live.drift.scorePsi, 3),
    ),
    '</tbody></table>',
    "<p>Bars: the training rows' anomaly scores. Line: the live rows'. A live curve shifted right of the bars means the traffic looks more anomalous to the model than its training data did; an observed anomaly rate far from the expected one means the threshold no longer flags the share it was set for.</p>",
    '</div></div>',
  );

  body.push('<h2>Feature drift</h2>');
  if (reference === null || live === null) {
    body.push(`<p>No drift figures: ${escapeXml(input.referenceMissing ?? 'no live rows')}.</p>`);
  } else {
    const drift = live.drift;
    body.push(
      '<div class="row"><div class="panel">',
      driftBarsSvg(
        [
          { name: 'anomaly score', psi: drift.scorePsi },
          ...drift.features.map((f) => ({ name: f.name, psi: f.psi })),
        ],
        input.psiThreshold,
      ),
      '</div><div class="panel side"><table id="feature-drift"><thead><tr><th>feature</th><th>PSI</th><th>live mean</th><th>missing</th><th>training mean</th><th>training std</th></tr></thead><tbody>',
      ...drift.features.map(
        (f, j) =>
          `<tr${f.drifting ? ' class="drifting"' : ''}><td>${escapeXml(f.name)}</td><td class="num">${f.psi === null ? 'n/a' : formatNumber(f.psi)}</td><td class="num">${f.liveMean === null ? 'n/a' : formatNumber(f.liveMean, 4)}</td><td class="num">${f.missingShare === null ? 'n/a' : `${formatNumber(100 * f.missingShare, 3)}%`}</td><td class="num">${formatNumber(f.referenceMean, 4)}</td><td class="num">${formatNumber(reference.features[j].std, 3)}</td></tr>`,
      ),
      '</tbody></table>',
      `<p>PSI compares the live rows' shares in the training quantile bins with the training shares: below 0.1 little change, 0.1 to ${formatNumber(input.psiThreshold)} some, above ${formatNumber(input.psiThreshold)} (<code>DRIFT_PSI_THRESHOLD</code>) drift.</p>`,
      '</div></div>',
    );
    const order = drift.features
      .map((f, j) => ({ j, psi: f.psi ?? -1 }))
      .sort((a, b) => b.psi - a.psi || a.j - b.j)
      .slice(0, MAX_HISTOGRAMS)
      .sort((a, b) => a.j - b.j);
    if (drift.features.length > MAX_HISTOGRAMS) {
      body.push(
        `<p>Histograms of the ${MAX_HISTOGRAMS} features with the largest PSI (of ${drift.features.length}).</p>`,
      );
    }
    body.push(
      '<p>Blue: training share per quantile bin; orange: live share.</p><div class="grid" id="feature-histograms">',
      ...order.map(({ j }) =>
        featureHistogramSvg({
          name: drift.features[j].name,
          reference: reference.features[j],
          liveCounts: live.counts.featureCounts[j],
          psi: drift.features[j].psi,
          drifting: drift.features[j].drifting,
        }),
      ),
      '</div>',
    );
  }

  body.push(
    '<h2>Model</h2><table id="metadata"><tbody>',
    ...input.metadata.map(([k, v]) => tr(k, v)),
    '</tbody></table>',
  );

  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeXml(meta)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Model report: ${escapeXml(input.modelVersion)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head><body><main>',
    ...body,
    '</main></body></html>',
    '',
  ].join('\n');
}

function statusHtml(input: ReportInput): string {
  const { reference, live } = input;
  if (reference === null) {
    return `<div id="status" class="status no_reference"><strong>No training reference.</strong> ${escapeXml(input.referenceMissing ?? '')}. Percentiles and drift need one.</div>`;
  }
  const drift = live?.drift;
  if (drift === undefined || drift.status === 'insufficient_data') {
    const rows = drift?.rows ?? 0;
    return `<div id="status" class="status insufficient_data"><strong>Status: insufficient_data.</strong> ${rows.toLocaleString('en-US')} live rows; a verdict needs at least ${input.minRows.toLocaleString('en-US')} (<code>MONITOR_MIN_ROWS</code>).</div>`;
  }
  if (drift.status === 'ok') {
    return `<div id="status" class="status ok"><strong>Status: ok.</strong> No feature and not the score has a PSI above ${formatNumber(input.psiThreshold)} over ${drift.rows.toLocaleString('en-US')} live rows.</div>`;
  }
  const names = [
    ...(drift.scoreDrifting ? ['the anomaly score'] : []),
    ...drift.features.filter((f) => f.drifting).map((f) => f.name),
  ];
  return `<div id="status" class="status drift"><strong>Status: drift.</strong> PSI above ${formatNumber(input.psiThreshold)} for ${escapeXml(names.join(', '))} over ${drift.rows.toLocaleString('en-US')} live rows. The traffic no longer looks like the training data, so scores and the threshold may mislead: retrain on recent data (<code>npm run train -- --data recent.csv</code>), then reload the model (<code>POST /model/reload</code> or SIGHUP).</div>`;
}

function mapHtml(input: ReportInput): string {
  const { forest, reference } = input;
  const d = forest.nFeatures;
  if (d < 2) return '<p>The model has one feature: no plane to map; see its histogram below.</p>';
  let lo: Float64Array;
  let hi: Float64Array;
  let centre: Float64Array;
  let heldAt: string;
  if (reference !== null) {
    lo = Float64Array.from(reference.features, (f) => f.min);
    hi = Float64Array.from(reference.features, (f) => f.max);
    centre = Float64Array.from(reference.features, (f) => f.median);
    heldAt = 'their training medians';
  } else if (input.featureRange !== null) {
    lo = input.featureRange.min;
    hi = input.featureRange.max;
    centre = lo.map((v, j) => (v + hi[j]) / 2);
    heldAt = 'the middle of their training ranges (the model has no reference with medians)';
  } else {
    return '<p>The model file records no training ranges, so there is no extent to map.</p>';
  }
  const choice = chooseMapFeatures(forest, centre, lo, hi, input.featureImportance, heldAt);
  const range = (j: number): [number, number] => {
    const span = hi[j] - lo[j] || Math.abs(lo[j]) || 1;
    return [lo[j] - 0.08 * span, hi[j] + 0.08 * span];
  };
  const sample = reference?.sample ?? null;
  const svg = decisionMapSvg({
    forest,
    offset: input.offset,
    x: choice.x,
    y: choice.y,
    xName: input.featureNames[choice.x],
    yName: input.featureNames[choice.y],
    centre,
    xRange: range(choice.x),
    yRange: range(choice.y),
    sample,
  });
  const points =
    sample === null
      ? 'No training points: the reference holds no sample.'
      : `Points: ${sample.rows} training rows drawn at random when the model was trained and stored in its reference (the artifact keeps no other rows), white when the model flags them.`;
  return `${svg}<p id="map-how">${escapeXml(choice.how)} Colour: the anomaly score at each point; black line: the threshold contour (anomaly score ${formatNumber(-input.offset)}), outside which rows are flagged. ${escapeXml(points)}</p>`;
}

function tr(label: string, value: string): string {
  return `<tr><th>${escapeXml(label)}</th><td>${escapeXml(value)}</td></tr>`;
}

function percent(share: number): string {
  return `${(100 * share).toFixed(2)}%`;
}
