import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The Open Inference Protocol (v2) REST types, all in this one file: what the `/v2` routes read
 * and write, field for field as `kserve/open-inference-protocol`'s
 * `specification/protocol/inference_rest.md` names them, plus Triton's model repository
 * extension. The classes document the OpenAPI schema; request bodies are checked by
 * `parse-infer-request.ts`, which names the offending element.
 */

/** The tensor element types of the protocol. */
export const OIP_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

/** A tensor element type. */
export type OipDatatype = (typeof OIP_DATATYPES)[number];

/** `$parameters`: name/value pairs whose values are strings, numbers or booleans. */
export type OipParameters = Record<string, string | number | boolean>;

const PARAMETERS_SCHEMA = {
  type: 'object' as const,
  additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
};

/** `$metadata_tensor`: name, datatype and shape (-1 for a variable dimension) of a tensor. */
export class OipTensorMetadataDto {
  @ApiProperty({ example: 'input' })
  name!: string;

  @ApiProperty({ enum: OIP_DATATYPES, example: 'FP64' })
  datatype!: OipDatatype;

  @ApiProperty({ type: [Number], example: [-1, 2] })
  shape!: number[];
}

/** `$metadata_server_response` (`GET /v2`). */
export class OipServerMetadataDto {
  @ApiProperty({ example: 'ml-anomaly-api' })
  name!: string;

  @ApiProperty({ example: '0.1.0' })
  version!: string;

  @ApiProperty({ type: [String], example: ['model_repository', 'binary_tensor_data'] })
  extensions!: string[];
}

/** `$live_server_response` (`GET /v2/health/live`). */
export class OipServerLiveDto {
  @ApiProperty({ example: true })
  live!: boolean;
}

/** `$ready_server_response` (`GET /v2/health/ready`). */
export class OipServerReadyDto {
  @ApiProperty({ example: true, description: 'Every model in the repository is loaded' })
  ready!: boolean;
}

/** `$ready_model_response` (`GET /v2/models/{name}[/versions/{version}]/ready`). */
export class OipModelReadyDto {
  @ApiProperty({ example: 'anomaly-detector' })
  name!: string;

  @ApiProperty({ example: true })
  ready!: boolean;
}

/** `$metadata_model_response` (`GET /v2/models/{name}[/versions/{version}]`). */
export class OipModelMetadataDto {
  @ApiProperty({ example: 'anomaly-detector' })
  name!: string;

  @ApiProperty({
    type: [String],
    example: ['1'],
    description: 'Every version that may be requested explicitly, ascending',
  })
  versions!: string[];

  @ApiProperty({
    example: 'sklearn_native',
    description:
      'sklearn_native (this service’s artifact), sklearn_pickle or sklearn_joblib: where the model came from',
  })
  platform!: string;

  @ApiProperty({
    type: [OipTensorMetadataDto],
    example: [{ name: 'input', datatype: 'FP64', shape: [-1, 2] }],
    description:
      'One input, [N, F] (or [F] for one row). Any name is accepted; FP32 and integer types too.',
  })
  inputs!: OipTensorMetadataDto[];

  @ApiProperty({
    type: [OipTensorMetadataDto],
    example: [
      { name: 'predict', datatype: 'INT64', shape: [-1] },
      { name: 'score_samples', datatype: 'FP64', shape: [-1] },
      { name: 'decision_function', datatype: 'FP64', shape: [-1] },
      { name: 'anomaly_score', datatype: 'FP64', shape: [-1] },
    ],
  })
  outputs!: OipTensorMetadataDto[];
}

/** `$inference_request_input`: the one input tensor. */
export class OipRequestInputDto {
  @ApiProperty({ example: 'input', description: 'Any name' })
  name!: string;

  @ApiProperty({
    type: [Number],
    example: [2, 2],
    description: '[N, F] (N rows of the model’s F features) or [F] (one row)',
  })
  shape!: number[];

  @ApiProperty({
    enum: OIP_DATATYPES,
    example: 'FP64',
    description:
      'FP64 or FP32 (values are rounded to float32 first); integer types are converted. BOOL, BYTES and FP16 are refused.',
  })
  datatype!: OipDatatype;

  @ApiPropertyOptional({
    ...PARAMETERS_SCHEMA,
    description:
      'binary_data_size: the byte length of this tensor in the binary part of the body (binary tensor data extension)',
  })
  parameters?: OipParameters;

  @ApiProperty({
    oneOf: [
      { type: 'array', items: { type: 'number' } },
      { type: 'array', items: { type: 'array', items: { type: 'number' } } },
    ],
    example: [-5.5, 5.2, 2.1, 2.1],
    description: 'Row-major, flat or nested; omitted when the tensor is sent as binary data',
  })
  data?: unknown;
}

/** `$inference_request_output`: one requested output. */
export class OipRequestOutputDto {
  @ApiProperty({
    example: 'predict',
    description: 'predict, score_samples, decision_function, anomaly_score (or an extra output)',
  })
  name!: string;

  @ApiPropertyOptional({
    ...PARAMETERS_SCHEMA,
    description: 'binary_data: accepted; outputs are always returned as JSON data',
  })
  parameters?: OipParameters;
}

/** `$inference_request` (`POST /v2/models/{name}[/versions/{version}]/infer`). */
export class OipInferenceRequestDto {
  @ApiPropertyOptional({ example: '42', description: 'Echoed in the response' })
  id?: string;

  @ApiPropertyOptional({ ...PARAMETERS_SCHEMA })
  parameters?: OipParameters;

  @ApiProperty({ type: [OipRequestInputDto], description: 'Exactly one input tensor' })
  inputs!: OipRequestInputDto[];

  @ApiPropertyOptional({
    type: [OipRequestOutputDto],
    description: 'The outputs to return, in this order; all of them when omitted',
  })
  outputs?: OipRequestOutputDto[];
}

/** `$response_output`: one output tensor, shape [N] (or [N, width] for a vector extra output). */
export class OipResponseOutputDto {
  @ApiProperty({ example: 'predict' })
  name!: string;

  @ApiProperty({ type: [Number], example: [2] })
  shape!: number[];

  @ApiProperty({ enum: ['INT64', 'FP64'], example: 'INT64' })
  datatype!: 'INT64' | 'FP64';

  @ApiPropertyOptional({ ...PARAMETERS_SCHEMA })
  parameters?: OipParameters;

  @ApiProperty({ type: [Number], example: [-1, 1] })
  data!: number[];
}

/** `$inference_response`. */
export class OipInferenceResponseDto {
  @ApiProperty({ example: 'anomaly-detector' })
  model_name!: string;

  @ApiProperty({ example: '1', description: 'The repository version that answered' })
  model_version!: string;

  @ApiPropertyOptional({ example: '42', description: 'The request’s id, when it had one' })
  id?: string;

  @ApiProperty({
    ...PARAMETERS_SCHEMA,
    example: { artifact_version: 'sha256-485b7e7ca4d4e71e' },
    description:
      'artifact_version: the model file’s own version id (the domain API’s model_version)',
  })
  parameters!: OipParameters;

  @ApiProperty({ type: [OipResponseOutputDto] })
  outputs!: OipResponseOutputDto[];
}

/** `$inference_error_response` and every other `/v2` error. */
export class OipErrorDto {
  @ApiProperty({ example: 'inputs[0].shape: must be [N, 2] or [2], got [1, 3]' })
  error!: string;
}

/** Body of `POST /v2/repository/index` (optional). */
export class RepositoryIndexRequestDto {
  @ApiPropertyOptional({ example: false, description: 'true: list only ready model versions' })
  ready?: boolean;
}

/** One row of the repository index: a model version, or a model without a loaded version. */
export class RepositoryIndexEntryDto {
  @ApiProperty({ example: 'anomaly-detector' })
  name!: string;

  @ApiPropertyOptional({ example: '1' })
  version?: string;

  @ApiProperty({ enum: ['READY', 'UNAVAILABLE'], example: 'READY' })
  state!: 'READY' | 'UNAVAILABLE';

  @ApiProperty({ example: '', description: 'Why it is not ready (empty when ready)' })
  reason!: string;
}
