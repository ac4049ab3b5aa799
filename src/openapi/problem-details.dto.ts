import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One offending field of a request (OpenAPI schema of `FieldError`). */
export class FieldErrorDto {
  @ApiProperty({ example: 'data[1]', description: 'Path of the offending value' })
  field!: string;

  @ApiProperty({ example: 'must be a number, got a string' })
  message!: string;
}

/** RFC 9457 problem document (OpenAPI schema of `ProblemDetails`). */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'urn:ml-anomaly-api:problem:validation-error' })
  type!: string;

  @ApiProperty({ example: 'Invalid request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'data[1] must be a number, got a string.' })
  detail!: string;

  @ApiProperty({ example: '/predict', description: 'The request path' })
  instance!: string;

  @ApiProperty({
    example: '9b2f2f4e-8e53-4a3c-9a53-1f0d1c1d2e3f',
    description: 'Also in the X-Request-Id response header and the server log',
  })
  request_id!: string;

  @ApiPropertyOptional({
    type: [FieldErrorDto],
    description: 'Offending fields (validation errors only)',
  })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Model version still serving (failed reloads only)',
  })
  serving_model_version?: string | null;
}
