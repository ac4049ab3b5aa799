export type { ReportInput } from './report-input';
export {
  renderReportHtml,
  REPORT_CSP_DIRECTIVES,
  REPORT_CSS,
  REPORT_STYLE_HASH,
} from './render-report-html';
export { chooseMapFeatures, type MapFeatures } from './choose-map-features';
export { contourSegments } from './contour-segments';
export { decisionMapSvg, MAP_GRID, type DecisionMapInput } from './decision-map-svg';
export { buildReportInput, featureNamesOf, type BuildReportOptions } from './build-report-input';
