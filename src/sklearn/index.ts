export {
  DEFAULT_IMPORT_LIMITS,
  importSklearnModel,
  type SklearnImportLimits,
  type SklearnImportOptions,
} from './import-sklearn-model';
export { isPickleOrJoblib } from './is-pickle-or-joblib';
export { PickleFormatError, PickleSecurityError } from './pickle-error';
export { DEFAULT_PICKLE_LIMITS, type PickleLimits } from './pickle-machine';
