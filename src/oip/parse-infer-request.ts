import { RequestValidationError } from '../errors';
import {
  describeJsonValue,
  FLOAT32_OVERFLOW,
  memberPath,
  missingValueError,
  numberError,
} from '../validation';
import { acceptsMissingValues, type DenseMatrix } from '../engine';
import type { ServingModel } from '../model/serving-model';
import type { OipDatatype, OipParameters } from './oip.dto';

/** An inference request, checked against the model it is for. */
export interface ParsedInferRequest {
  /** The request's `id`, echoed in the response. */
  readonly id: string | undefined;
  readonly parameters: OipParameters;
  /** The input rows, row-major, in the model's column order. */
  readonly x: DenseMatrix;
  /**
   * The outputs to return, in order (`limits.defaultOutputs` when the request named none).
   */
  readonly outputs: readonly string[];
}

/** What {@link parseInferRequest} needs besides the body and the model. */
export interface InferRequestLimits {
  /** Most rows one request may carry (`MAX_BATCH_ROWS`). */
  readonly maxRows: number;
  /** Every output name a request may ask for. */
  readonly outputNames: readonly string[];
  /** The outputs returned when the request names none. */
  readonly defaultOutputs: readonly string[];
  /** The binary part of the body (binary tensor data extension), or null. */
  readonly binary: Uint8Array | null;
}

/** `model_name` and `model_version` are sent by KServe's client; the path decides, they are ignored. */
const REQUEST_KEYS = new Set([
  'id',
  'parameters',
  'inputs',
  'outputs',
  'model_name',
  'model_version',
]);
const MODEL_KEYS = ['model_name', 'model_version'] as const;
const INPUT_KEYS = new Set(['name', 'shape', 'datatype', 'parameters', 'data']);
const OUTPUT_KEYS = new Set(['name', 'parameters']);

/** Integer datatypes: accepted range and bytes per element. */
const INTEGER_TYPES: Readonly<Partial<Record<OipDatatype, readonly [number, number, number]>>> = {
  INT8: [-128, 127, 1],
  INT16: [-32768, 32767, 2],
  INT32: [-2147483648, 2147483647, 4],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 8],
  UINT8: [0, 255, 1],
  UINT16: [0, 65535, 2],
  UINT32: [0, 4294967295, 4],
  UINT64: [0, Number.MAX_SAFE_INTEGER, 8],
};

/**
 * Checks an Open Inference Protocol inference request against `model` and returns its rows:
 * exactly one input tensor of any name, datatype FP64 or FP32 (values rounded to float32) or an
 * integer type (converted), shape `[N, F]` or `[F]`, data flat row-major or nested (or binary,
 * with `parameters.binary_data_size`), every value a finite number within float32 range (the
 * same rule as `POST /predict`). Pure.
 *
 * @throws RequestValidationError naming the offending element (`inputs[0].data[3]`).
 */
export function parseInferRequest(
  body: unknown,
  model: ServingModel,
  limits: InferRequestLimits,
): ParsedInferRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    fail('body', `must be a JSON object (an inference request), got ${describeJsonValue(body)}`);
  }
  const request = body as Record<string, unknown>;
  unknownKeys(request, REQUEST_KEYS, '');
  const id = request.id;
  if (id !== undefined && typeof id !== 'string') {
    fail('id', `must be a string, got ${describeJsonValue(id)}`);
  }
  for (const key of MODEL_KEYS) {
    const v = request[key];
    if (v !== undefined && typeof v !== 'string') {
      fail(key, `must be a string, got ${describeJsonValue(v)}`);
    }
  }
  const parameters = parseParameters(request.parameters, 'parameters');
  const inputs = request.inputs;
  if (!Array.isArray(inputs)) {
    fail('inputs', `must be an array of input tensors, got ${describeJsonValue(inputs)}`);
  }
  if (inputs.length !== 1) {
    fail('inputs', `must contain exactly one input tensor, got ${inputs.length}`);
  }
  const x = parseInput(inputs[0], 'inputs[0]', model, limits);
  if (!acceptsMissingValues(model.artifact.forest)) refuseMissing(x, 'inputs[0]');
  return { id, parameters, x, outputs: parseOutputs(request.outputs, limits) };
}

/**
 * A missing value (JSON `null`, or NaN in binary data) for a model that does not accept
 * missing values: a 400 naming the first such element, as `/predict` does.
 */
function refuseMissing(x: DenseMatrix, field: string): void {
  const k = x.data.findIndex((v) => Number.isNaN(v));
  if (k < 0) return;
  throw new RequestValidationError([
    missingValueError(
      `${field}.data[${k}]`,
      `is missing (null or NaN; row ${Math.floor(k / x.cols)}, column ${k % x.cols})`,
    ),
  ]);
}

function parseInput(
  value: unknown,
  field: string,
  model: ServingModel,
  limits: InferRequestLimits,
): DenseMatrix {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(field, `must be an input tensor object, got ${describeJsonValue(value)}`);
  }
  const input = value as Record<string, unknown>;
  unknownKeys(input, INPUT_KEYS, field);
  if (typeof input.name !== 'string' || input.name.length === 0) {
    fail(`${field}.name`, `must be a non-empty string, got ${describeJsonValue(input.name)}`);
  }
  const datatype = input.datatype;
  if (typeof datatype !== 'string') {
    fail(`${field}.datatype`, `must be a string, got ${describeJsonValue(datatype)}`);
  }
  if (datatype !== 'FP64' && datatype !== 'FP32' && !(datatype in INTEGER_TYPES)) {
    fail(
      `${field}.datatype`,
      `must be FP64, FP32 or an integer type (INT8 to INT64, UINT8 to UINT64), got ${JSON.stringify(datatype)}`,
    );
  }
  const type = datatype as OipDatatype;
  const cols = model.artifact.nFeatures;
  const rows = parseShape(input.shape, `${field}.shape`, model);
  if (rows > limits.maxRows) {
    fail(
      `${field}.shape[0]`,
      `must be at most ${limits.maxRows} rows (MAX_BATCH_ROWS), got ${rows}`,
    );
  }
  const parameters = parseParameters(input.parameters, `${field}.parameters`);
  const out = new Float64Array(rows * cols);
  const binarySize = parameters.binary_data_size;
  if (binarySize !== undefined) {
    if (input.data !== undefined) {
      fail(`${field}.data`, 'must be omitted when parameters.binary_data_size is given');
    }
    readBinary(limits.binary, binarySize, type, out, field);
  } else {
    readData(input.data, `${field}.data`, rows, cols, input.shape as number[], type, out);
  }
  return { data: out, rows, cols };
}

/** The row count of a valid shape: `[N, F]` or `[F]` with F the model's feature count. */
function parseShape(value: unknown, field: string, model: ServingModel): number {
  const cols = model.artifact.nFeatures;
  // Messages are built only on the way to an error: a valid request formats no text.
  const expected = (): string =>
    `[N, ${cols}] or [${cols}] for this model (${model.expectedInput})`;
  if (!Array.isArray(value)) fail(field, `must be ${expected()}, got ${describeJsonValue(value)}`);
  for (let i = 0; i < value.length; i++) {
    const d: unknown = value[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      fail(`${field}[${i}]`, `must be a non-negative integer, got ${describeJsonValue(d)}`);
    }
  }
  const dims = value as number[];
  if (dims.length === 1 && dims[0] === cols) return 1;
  if (dims.length === 2 && dims[1] === cols) {
    if (dims[0] === 0) fail(`${field}[0]`, 'must be at least 1 row, got 0');
    return dims[0];
  }
  return fail(field, `must be ${expected()}, got [${dims.join(', ')}]`);
}

function readData(
  data: unknown,
  field: string,
  rows: number,
  cols: number,
  shape: readonly number[],
  type: OipDatatype,
  out: Float64Array,
): void {
  if (!Array.isArray(data)) {
    fail(field, `must be an array of numbers, got ${describeJsonValue(data)}`);
  }
  const total = rows * cols;
  const nested = shape.length === 2 && data.length > 0 && Array.isArray(data[0]);
  if (!nested) {
    if (data.length !== total) {
      fail(field, `must contain ${total} values (shape [${shape.join(', ')}]), got ${data.length}`);
    }
    for (let k = 0; k < total; k++) out[k] = element(data[k], field, k, -1, type);
    return;
  }
  if (data.length !== rows) {
    fail(field, `must contain ${rows} rows (shape [${shape.join(', ')}]), got ${data.length}`);
  }
  for (let i = 0; i < rows; i++) {
    const row: unknown = data[i];
    if (!Array.isArray(row) || row.length !== cols) {
      fail(
        `${field}[${i}]`,
        `must be an array of ${cols} values, got ${
          Array.isArray(row) ? `${row.length} values` : describeJsonValue(row)
        }`,
      );
    }
    for (let j = 0; j < cols; j++) out[i * cols + j] = element(row[j], field, i, j, type);
  }
}

/**
 * One JSON element as the datatype reads it: `data[i]` of flat data (`j` < 0), else
 * `data[i][j]`. The element's path is formatted only for an error.
 */
function element(value: unknown, field: string, i: number, j: number, type: OipDatatype): number {
  if (typeof value === 'number' && Math.abs(value) < FLOAT32_OVERFLOW) {
    if (type === 'FP64') return value;
    if (type === 'FP32') return Math.fround(value);
    const [min, max] = INTEGER_TYPES[type]!;
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    fail(
      elementPath(field, i, j),
      `must be an integer from ${min} to ${max} (datatype ${type}), got ${value}`,
    );
  }
  const err = numberError(value, elementPath(field, i, j));
  if (err !== null) throw new RequestValidationError([err]);
  // An accepted non-number (numberError may come to accept null for a missing value) is NaN.
  return typeof value === 'number' ? value : NaN;
}

/** `field[i]`, or `field[i][j]` for `j` >= 0. */
function elementPath(field: string, i: number, j: number): string {
  return j < 0 ? `${field}[${i}]` : `${field}[${i}][${j}]`;
}

const BYTES_PER_ELEMENT: Readonly<Partial<Record<OipDatatype, number>>> = { FP64: 8, FP32: 4 };

/** Reads the tensor from the body's binary part (little-endian, row-major). */
function readBinary(
  binary: Uint8Array | null,
  size: string | number | boolean,
  type: OipDatatype,
  out: Float64Array,
  field: string,
): void {
  const bytesPer = BYTES_PER_ELEMENT[type] ?? INTEGER_TYPES[type]![2];
  const expected = out.length * bytesPer;
  if (size !== expected) {
    fail(
      `${field}.parameters.binary_data_size`,
      `must be ${expected} (${out.length} ${type} values), got ${JSON.stringify(size)}`,
    );
  }
  if (binary === null || binary.length !== expected) {
    fail(
      field,
      `binary data must be ${expected} bytes after the JSON header, got ${binary?.length ?? 0} (Inference-Header-Content-Length)`,
    );
  }
  const view = new DataView(binary.buffer, binary.byteOffset, binary.byteLength);
  for (let k = 0; k < out.length; k++) {
    const at = k * bytesPer;
    let v: number;
    switch (type) {
      case 'FP64':
        v = view.getFloat64(at, true);
        break;
      case 'FP32':
        v = view.getFloat32(at, true);
        break;
      case 'INT8':
        v = view.getInt8(at);
        break;
      case 'INT16':
        v = view.getInt16(at, true);
        break;
      case 'INT32':
        v = view.getInt32(at, true);
        break;
      case 'INT64':
        v = Number(view.getBigInt64(at, true));
        break;
      case 'UINT8':
        v = view.getUint8(at);
        break;
      case 'UINT16':
        v = view.getUint16(at, true);
        break;
      case 'UINT32':
        v = view.getUint32(at, true);
        break;
      case 'UINT64':
        v = Number(view.getBigUint64(at, true));
        break;
      case 'BOOL':
      case 'BYTES':
      case 'FP16':
        // parseInput refuses these datatypes before any data is read.
        throw new Error(`unsupported datatype ${type}`);
    }
    if (!(Math.abs(v) < FLOAT32_OVERFLOW)) {
      const err = numberError(v, `${field}.data[${k}]`);
      if (err !== null) throw new RequestValidationError([err]);
    }
    if (!Number.isSafeInteger(v) && bytesPer === 8 && type !== 'FP64') {
      fail(`${field}.data[${k}]`, `must be at most 2^53 in magnitude (datatype ${type})`);
    }
    out[k] = v;
  }
}

function parseOutputs(value: unknown, limits: InferRequestLimits): readonly string[] {
  if (value === undefined) return limits.defaultOutputs;
  if (!Array.isArray(value)) {
    fail('outputs', `must be an array of requested outputs, got ${describeJsonValue(value)}`);
  }
  if (value.length === 0) return limits.defaultOutputs;
  const names: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const field = `outputs[${i}]`;
    const output: unknown = value[i];
    if (output === null || typeof output !== 'object' || Array.isArray(output)) {
      fail(field, `must be a requested output object, got ${describeJsonValue(output)}`);
    }
    const o = output as Record<string, unknown>;
    unknownKeys(o, OUTPUT_KEYS, field);
    parseParameters(o.parameters, `${field}.parameters`);
    const name = o.name;
    if (typeof name !== 'string' || !limits.outputNames.includes(name)) {
      fail(
        `${field}.name`,
        `must be one of ${limits.outputNames.join(', ')}, got ${
          typeof name === 'string' ? JSON.stringify(name) : describeJsonValue(name)
        }`,
      );
    }
    if (names.includes(name)) fail(`${field}.name`, `repeats ${JSON.stringify(name)}`);
    names.push(name);
  }
  return names;
}

function parseParameters(value: unknown, field: string): OipParameters {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(field, `must be an object of parameters, got ${describeJsonValue(value)}`);
  }
  const parameters = value as Record<string, unknown>;
  for (const key of Object.keys(parameters)) {
    const v = parameters[key];
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      fail(
        memberPath(field, key),
        `must be a string, a number or a boolean, got ${describeJsonValue(v)}`,
      );
    }
  }
  return parameters as OipParameters;
}

function unknownKeys(
  value: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  at: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      fail(at === '' ? key : memberPath(at, key), 'is not an allowed property');
    }
  }
}

function fail(field: string, message: string): never {
  throw RequestValidationError.of(field, message);
}
