import { missingReferenceReason } from '../artifact/missing-reference-reason';
import type { ModelArtifact } from '../artifact/model-artifact';
import { summarizeDrift, type WindowCounts } from '../monitoring';
import { meanAbsShap } from './mean-abs-shap';
import { formatNumber } from './svg-text';
import type { ReportInput } from './report-input';

/** Options of {@link buildReportInput}. */
export interface BuildReportOptions {
  /** The live rows as bin counts (a drift window's `read()`), or null for none. */
  readonly counts: WindowCounts | null;
  readonly liveLabel: string;
  readonly psiThreshold: number;
  readonly minRows: number;
  readonly generatedAt: string;
  /**
   * Mean |SHAP value| per feature for the decision map's choice of features; when omitted it is
   * computed over the reference's training sample if the model can be explained (format-2
   * node weights), else the map falls back to the features that move the score most.
   */
  readonly featureImportance?: Float64Array | null;
  /** Extra metadata rows (e.g. when this process loaded the model). */
  readonly extraMetadata?: readonly (readonly [string, string])[];
}

/** Feature names of a model: its own, else `x0`, `x1`, ... (scikit-learn's convention). */
export function featureNamesOf(artifact: ModelArtifact): readonly string[] {
  return artifact.featureNames ?? Array.from({ length: artifact.nFeatures }, (_, j) => `x${j}`);
}

/** The report's input for a model and its live rows: the one place both the service and the CLI build it. */
export function buildReportInput(
  artifact: ModelArtifact,
  options: BuildReportOptions,
): ReportInput {
  const names = featureNamesOf(artifact);
  const reference = artifact.reference ?? null;
  const thresholds = { minRows: options.minRows, psiThreshold: options.psiThreshold };
  const live =
    reference === null || options.counts === null
      ? null
      : {
          counts: options.counts,
          drift: summarizeDrift(reference, options.counts, names, thresholds),
        };
  const source =
    artifact.source.format === 'native'
      ? 'native (npm run train)'
      : `${artifact.source.format} (scikit-learn ${artifact.source.sklearnVersion ?? 'unknown'})`;
  const metadata: (readonly [string, string])[] = [
    ['model version', artifact.modelVersion],
    ['sha256', artifact.sha256],
    ['created at', artifact.createdAt],
    ['source', source],
    ['artifact format version', String(artifact.formatVersion)],
    ['features', `${artifact.nFeatures}: ${names.join(', ')}`],
    ['trees', String(artifact.forest.nEstimators)],
    ['max samples per tree', String(artifact.forest.maxSamples)],
    ['max features per tree', String(artifact.forest.maxFeatures)],
    ['contamination', String(artifact.params.contamination)],
    ['offset', String(artifact.offset)],
    ['threshold (anomaly score)', String(-artifact.offset)],
    [
      'training rows',
      artifact.nTrainingSamples === null
        ? 'unknown'
        : artifact.nTrainingSamples.toLocaleString('en-US'),
    ],
    [
      'training reference',
      reference === null
        ? `none: ${missingReferenceReason(artifact)}`
        : `${reference.rows.toLocaleString('en-US')} rows, ${reference.features[0]?.proportions.length ?? 0} bins per feature, anomaly rate ${formatNumber(100 * reference.anomalyRate)}%`,
    ],
    ...(options.extraMetadata ?? []),
  ];
  return {
    metadata,
    modelVersion: artifact.modelVersion,
    featureNames: names,
    forest: artifact.forest,
    offset: artifact.offset,
    reference,
    referenceMissing: missingReferenceReason(artifact),
    featureRange:
      artifact.featureMin !== null && artifact.featureMax !== null
        ? { min: artifact.featureMin, max: artifact.featureMax }
        : null,
    live,
    liveLabel: options.liveLabel,
    psiThreshold: options.psiThreshold,
    minRows: options.minRows,
    featureImportance:
      options.featureImportance !== undefined
        ? options.featureImportance
        : artifact.nFeatures > 2
          ? meanAbsShap(artifact.forest, reference?.sample ?? null)
          : null,
    generatedAt: options.generatedAt,
  };
}
