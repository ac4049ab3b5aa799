import type { ModelArtifact } from './model-artifact';

/**
 * Why a model has no training reference, phrased for an API response or a page; null when it
 * has one.
 */
export function missingReferenceReason(artifact: ModelArtifact): string | null {
  if (artifact.reference) return null;
  if (artifact.source.format !== 'native') {
    return 'the model was imported from scikit-learn without --reference (pickles carry no training data): run npm run import -- --model FILE --reference rows.csv';
  }
  if (artifact.formatVersion < 2) {
    return `the model file is format version ${artifact.formatVersion}, written before training references existed: retrain it with npm run train`;
  }
  return 'the model file carries no training reference: retrain it with npm run train';
}
