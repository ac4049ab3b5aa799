import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problem';
import { ProblemDetailsDto } from './problem-details.dto';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request: malformed JSON, or a field failed validation (see errors)',
  401: 'Missing or invalid credentials',
  404: 'Route not found (admin routes are hidden when ADMIN_TOKEN is unset)',
  413: 'Request body larger than BODY_LIMIT',
  415: 'Request body is not uncompressed UTF-8 application/json',
  422: 'The model file could not be loaded; the previous model keeps serving',
  429: 'Rate limit exceeded',
  500: 'Unexpected error (details only in the server log, under request_id)',
  503: 'No model is loaded',
};

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

/**
 * Documents the listed error statuses as `application/problem+json` {@link ProblemDetailsDto}.
 * A status may be given as `[status, description]` where a route means something else by it.
 */
export function ApiProblemResponses(
  ...statuses: (number | readonly [number, string])[]
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((entry) => {
      const [status, description] =
        typeof entry === 'number' ? [entry, DESCRIPTIONS[entry] ?? 'Error'] : entry;
      return ApiResponse({
        status,
        description,
        headers: status === 429 || status === 503 ? RETRY_AFTER : undefined,
        content: {
          [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } },
        },
      });
    }),
  );
}
