import { ModelFormatError } from '../engine/errors';
import { DTYPE_BYTES, type ArrayDtype, type EncodedArray } from './artifact-format';
import { describeJson } from './describe-json';

/** True when this machine stores numbers little-endian (the file's byte order). */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const BASE64_SHAPE = /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Array types the codec handles, keyed by dtype. */
export interface DtypeArrays {
  readonly int32: Int32Array;
  readonly float64: Float64Array;
}

/** Reverses the bytes of each `size`-byte element in place (only used on big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** Encodes a typed array as `{ dtype, length, data }` with little-endian base64 data. */
export function encodeTypedArray(values: Int32Array | Float64Array): EncodedArray {
  const dtype: ArrayDtype = values instanceof Int32Array ? 'int32' : 'float64';
  let bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (!HOST_LITTLE_ENDIAN) {
    bytes = bytes.slice();
    swapBytes(bytes, DTYPE_BYTES[dtype]);
  }
  return {
    dtype,
    length: values.length,
    data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
}

/**
 * Decodes one encoded array into a fresh typed array (never a view of the input), checking the
 * dtype, the declared length, the base64 alphabet and padding, and the exact byte count.
 *
 * @param path where the array sits in the document, for error messages
 * @throws ModelFormatError naming `path` and what is wrong.
 */
export function decodeTypedArray<D extends ArrayDtype>(
  value: unknown,
  dtype: D,
  expectedLength: number,
  path: string,
): DtypeArrays[D] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(`${path}: expected an encoded array object`);
  }
  const entry = value as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (key !== 'dtype' && key !== 'length' && key !== 'data') {
      throw new ModelFormatError(`${path}: unknown member '${key}'`);
    }
  }
  if (entry.dtype !== dtype) {
    throw new ModelFormatError(
      `${path}.dtype: expected '${dtype}', got ${describeJson(entry.dtype)}`,
    );
  }
  if (entry.length !== expectedLength) {
    throw new ModelFormatError(
      `${path}.length: expected ${expectedLength}, got ${describeJson(entry.length)}`,
    );
  }
  const data = entry.data;
  if (typeof data !== 'string') {
    throw new ModelFormatError(`${path}.data: expected a base64 string, got ${describeJson(data)}`);
  }
  const byteLength = expectedLength * DTYPE_BYTES[dtype];
  const base64Length = 4 * Math.ceil(byteLength / 3);
  if (data.length !== base64Length) {
    const what = data.length < base64Length ? 'truncated: ' : '';
    throw new ModelFormatError(
      `${what}${path}.data has ${data.length} base64 characters, expected ${base64Length} ` +
        `(${expectedLength} x ${dtype})`,
    );
  }
  if (!BASE64_SHAPE.test(data)) {
    throw new ModelFormatError(`${path}.data is not valid base64 (RFC 4648, padded)`);
  }
  const decoded = Buffer.from(data, 'base64');
  // Unused low bits of the last quantum must be zero, so each byte string has one encoding.
  if (decoded.length !== byteLength || !lastQuantumIsCanonical(data, decoded)) {
    throw new ModelFormatError(`${path}.data is not canonical base64 for ${byteLength} bytes`);
  }
  const buffer = new ArrayBuffer(byteLength);
  const bytes = new Uint8Array(buffer);
  bytes.set(decoded);
  if (!HOST_LITTLE_ENDIAN) swapBytes(bytes, DTYPE_BYTES[dtype]);
  return (dtype === 'int32' ? new Int32Array(buffer) : new Float64Array(buffer)) as DtypeArrays[D];
}

function lastQuantumIsCanonical(data: string, decoded: Buffer): boolean {
  if (data.length === 0) return true;
  const tailBytes = decoded.length % 3 === 0 ? 3 : decoded.length % 3;
  const tail = decoded.subarray(decoded.length - tailBytes).toString('base64');
  return data.endsWith(tail);
}
