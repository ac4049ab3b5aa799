import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { OipErrorDto } from './oip.dto';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request: the message names the offending element',
  401: 'API_KEY is set and X-API-Key is missing or wrong (or a wrong admin bearer token)',
  404: 'Unknown model or version (or the repository extension while ADMIN_TOKEN is unset)',
  413: 'Body larger than BODY_LIMIT',
  415: 'Body neither JSON nor binary tensor data',
  429: 'Rate limit spent',
  503: 'The model is not ready (the message says why)',
};

/** Documents `/v2` error responses: `{"error": "<message>"}` with each status. */
export function ApiOipErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, type: OipErrorDto, description: DESCRIPTIONS[status] }),
    ),
  );
}
