export { DtoValidationPipe } from './dto-validation.pipe';
export { EXACTLY_ONE_OF, ExactlyOneOf } from './exactly-one-of.decorator';
export { FastAccept, fastAcceptorOf, type FastAcceptor } from './fast-accept.decorator';
export {
  FLOAT32_OVERFLOW,
  describeJsonValue,
  featureMapError,
  matrixError,
  memberPath,
  missingValueError,
  numberError,
  vectorError,
} from './feature-values';
export { IS_FEATURE_MAP, IsFeatureMap } from './is-feature-map.decorator';
export { IS_FEATURE_MATRIX, IsFeatureMatrix } from './is-feature-matrix.decorator';
export { IS_FEATURE_VECTOR, IsFeatureVector, MAX_FEATURES } from './is-feature-vector.decorator';
export { toFieldErrors } from './to-field-errors';
export { validateDto, validateDtoFully, type DtoClass } from './validate-dto';
export { VALIDATOR_OPTIONS } from './validation.options';
