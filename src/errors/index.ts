export { AuthError, type AuthScheme } from './auth.error';
export type { FieldError } from './field-error';
export { ModelNotFoundError } from './model-not-found.error';
export { ModelReloadError } from './model-reload.error';
export { ModelUnavailableError } from './model-unavailable.error';
export { RequestBodyError, type RequestBodyErrorKind } from './request-body.error';
export { RequestValidationError } from './request-validation.error';
export { RouteNotFoundError } from './route-not-found.error';
