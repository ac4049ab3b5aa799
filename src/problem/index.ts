export {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  PROBLEM_TYPES,
  type ProblemDetails,
} from './problem-details';
export {
  MODEL_UNAVAILABLE_RETRY_AFTER_S,
  toErrorResponse,
  toOipErrorResponse,
  type ErrorResponse,
  type ProblemContext,
} from './to-problem';
