export { averagePathLength, EULER_GAMMA } from './average-path-length';
export { InvalidInputError, ModelFormatError } from './errors';
export type { FlatForest } from './forest';
export type { IsolationForestModel } from './model';
export {
  DEFAULT_OPTIONS,
  type CountSpec,
  type FractionSpec,
  type IsolationForestOptions,
} from './options';
export { acceptsMissingValues, TREE_LEAF, TREE_UNDEFINED } from './forest';
export { assertFiniteMatrix, assertMatrixShape, matrixFromRows, type DenseMatrix } from './matrix';
export { verifyForest } from './verify-forest';
export { decisionFunction, pathLengthSums, predict, scoreOne, scoreSamples } from './score';
export { prepareForest } from './prepare-forest';
export { fitIsolationForest } from './fit';
export { fittedMaxFeatures, fittedMaxSamples } from './fitted-sizes';
export { resolveOptions } from './resolve-options';
export { summarizeTraining, type TrainingSummary } from './training-summary';
export { percentile, percentileOfSorted } from './percentile';
export { RandomState } from './random-state';
export { RandR, RAND_R_MAX } from './rand-r';
export { sampleWithoutReplacement } from './sample-without-replacement';
export { TreeBuilder, type TreeParams, type TreeSample } from './build-tree';
export { ExplanationUnavailableError } from './errors';
export {
  explainSamples,
  canExplain,
  explanationBase,
  meanPathLengths,
  shapValuesOf,
  type ExplanationBase,
  type Explanations,
} from './explain';
export { compileShapForest, type ShapForest } from './shap-forest';
export { TreeShapWorkspace } from './tree-shap';
export {
  buildLeafTables,
  DEFAULT_TABLE_BUDGET_BYTES,
  leafTables,
  LeafTableWorkspace,
  MAX_TABLED_PATH_FEATURES,
  type ShapLeafTables,
} from './tree-shap-tables';
export { pairwiseSum } from './pairwise-sum';
