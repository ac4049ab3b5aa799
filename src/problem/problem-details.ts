import type { FieldError } from '../errors';

/** Media type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Prefix of this service's problem type URIs. */
export const PROBLEM_TYPE_BASE = 'urn:ml-anomaly-api:problem:';

/** The problem types this service defines (beyond `about:blank`). */
export const PROBLEM_TYPES = {
  validation: `${PROBLEM_TYPE_BASE}validation-error`,
  malformedJson: `${PROBLEM_TYPE_BASE}malformed-json`,
  modelUnavailable: `${PROBLEM_TYPE_BASE}model-unavailable`,
  modelNotFound: `${PROBLEM_TYPE_BASE}model-not-found`,
  modelReloadFailed: `${PROBLEM_TYPE_BASE}model-reload-failed`,
  explanationUnavailable: `${PROBLEM_TYPE_BASE}explanation-unavailable`,
  unauthorized: `${PROBLEM_TYPE_BASE}unauthorized`,
} as const;

/** An RFC 9457 problem document with this service's extension members. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The request path. */
  readonly instance: string;
  readonly request_id: string;
  /** Offending fields, for validation failures. */
  readonly errors?: readonly FieldError[];
  /** Version still serving after a failed reload (null when none). */
  readonly serving_model_version?: string | null;
}
