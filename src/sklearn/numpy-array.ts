import { DType } from './numpy-dtype';
import { PickleFormatError } from './pickle-error';
import {
  describe,
  NdArray,
  PyFloat,
  PyGlobal,
  PyList,
  PyTuple,
  printable,
  type PyValue,
} from './py-values';

/**
 * The three ways numpy pickles an ndarray, interpreted without numpy:
 *
 * - protocols 2 to 4: `_reconstruct(ndarray, (0,), b'b')` makes an empty array, then `BUILD`
 *   applies `(version, shape, dtype, is_fortran, rawdata)`; rawdata is bytes (protocol 2 spells
 *   them `_codecs.encode(latin-1 text)`) or, for object arrays, a list of the items;
 * - protocol 5: `_frombuffer(buffer, dtype, shape, order)` with the buffer in-band;
 * - joblib: a `NumpyArrayWrapper` whose raw bytes follow its BUILD (see pickle-machine.ts).
 *
 * The byte size is always checked against the shape before any data is touched.
 */

/** Number of elements of `shape`, or a format error if a dimension is invalid or it exceeds 2^53. */
export function shapeOf(value: PyValue, what: string, offset: number): number[] {
  if (!(value instanceof PyTuple)) {
    throw new PickleFormatError(`${what} shape must be a tuple, got ${describe(value)}`, offset);
  }
  if (value.items.length > 32) {
    throw new PickleFormatError(`${what} has more than 32 dimensions`, offset);
  }
  const shape: number[] = [];
  let count = 1;
  for (const d of value.items) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new PickleFormatError(
        `${what} shape has an invalid dimension (${describe(d)})`,
        offset,
      );
    }
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER) {
      throw new PickleFormatError(
        `${what} shape (${shape.join(', ')}, ${d}, ...) is too large`,
        offset,
      );
    }
    shape.push(d);
  }
  return shape;
}

/** Element count of a validated shape. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Bytes a numeric array of this shape and dtype occupies, or a format error if above `available`. */
export function byteLength(
  shape: readonly number[],
  dtype: DType,
  available: number,
  what: string,
  offset: number,
): number {
  const count = elementCount(shape);
  // count <= 2^53 and itemsize <= 2^16; compare before multiplying to stay exact.
  if (count > Math.floor(available / dtype.itemsize)) {
    throw new PickleFormatError(
      `${what} of shape (${shape.join(', ')}) and dtype ${dtype.str} needs ${count} x ${dtype.itemsize} bytes, but only ${available} are available`,
      offset,
    );
  }
  return count * dtype.itemsize;
}

/** `_reconstruct(numpy.ndarray, (0,), b'b')`: an empty placeholder completed by BUILD. */
export function reconstructArray(args: PyTuple, offset: number): NdArray {
  const [cls, shape, typeCode] = args.items;
  if (
    args.items.length !== 3 ||
    !(cls instanceof PyGlobal) ||
    cls.kind !== 'ndarray' ||
    !(shape instanceof PyTuple) ||
    !(typeCode instanceof Uint8Array)
  ) {
    throw new PickleFormatError(
      `_reconstruct expects (numpy.ndarray, shape, typecode), got (${args.items.map(describe).join(', ')})`,
      offset,
    );
  }
  return new NdArray(null, [], false, null, null, offset);
}

/** BUILD of a `_reconstruct` placeholder: numpy's `array_setstate`. */
export function buildArray(
  array: NdArray,
  state: PyValue,
  maxContainerLength: number,
  offset: number,
): void {
  if (array.built) throw new PickleFormatError('ndarray is built twice', offset);
  if (!(state instanceof PyTuple) || (state.items.length !== 5 && state.items.length !== 4)) {
    throw new PickleFormatError(
      `ndarray state must be (version, shape, dtype, is_fortran, data), got ${describe(state)}`,
      offset,
    );
  }
  const items = state.items.length === 5 ? state.items.slice(1) : state.items;
  if (state.items.length === 5 && state.items[0] !== 1) {
    throw new PickleFormatError(
      `unsupported ndarray state version ${describe(state.items[0])}`,
      offset,
    );
  }
  const [shapeValue, dtype, fortran, raw] = items;
  const shape = shapeOf(shapeValue, 'ndarray', offset);
  if (!(dtype instanceof DType) || !dtype.built) {
    throw new PickleFormatError(`ndarray state has no built dtype (${describe(dtype)})`, offset);
  }
  if (typeof fortran !== 'boolean') {
    throw new PickleFormatError(
      `ndarray is_fortran must be a bool, got ${describe(fortran)}`,
      offset,
    );
  }
  if (dtype.hasObject) {
    if (!(raw instanceof PyList)) {
      throw new PickleFormatError(
        `object ndarray data must be a list, got ${describe(raw)}`,
        offset,
      );
    }
    const count = elementCount(shape);
    if (raw.items.length !== count || count > maxContainerLength) {
      throw new PickleFormatError(
        `object ndarray of shape (${shape.join(', ')}) holds ${raw.items.length} items`,
        offset,
      );
    }
    // No copy: a list shared through the memo must not multiply memory.
    setArray(array, dtype, shape, fortran, null, raw.items);
    return;
  }
  if (!(raw instanceof Uint8Array)) {
    throw new PickleFormatError(`ndarray data must be bytes, got ${describe(raw)}`, offset);
  }
  const bytes = byteLength(shape, dtype, raw.length, 'ndarray', offset);
  if (bytes !== raw.length) {
    throw new PickleFormatError(
      `ndarray of shape (${shape.join(', ')}) and dtype ${dtype.str} needs ${bytes} bytes, got ${raw.length}`,
      offset,
    );
  }
  setArray(array, dtype, shape, fortran, raw, null);
}

/**
 * `_frombuffer(buffer, dtype, shape, order[, axis_order])` (protocol 5, in-band buffer). numpy
 * 2.3+ pickles an array that is neither C- nor F-contiguous as order 'K' with `axis_order`:
 * the buffer in C order of `shape`, then `transpose(axis_order)`. The identity permutation is
 * C order and the reversal F order (of the permuted shape); other permutations never occur in
 * an IsolationForest and are refused.
 */
export function fromBuffer(args: PyTuple, offset: number): NdArray {
  const [buffer, dtype, shapeValue, rawOrder, axisOrder] = args.items;
  if ((args.items.length !== 4 && args.items.length !== 5) || !(buffer instanceof Uint8Array)) {
    throw new PickleFormatError(
      `_frombuffer expects (buffer, dtype, shape, order[, axis_order]), got (${args.items.map(describe).join(', ')})`,
      offset,
    );
  }
  let order = rawOrder;
  let permuted = false;
  if (rawOrder === 'K') {
    const shapeItems = shapeValue instanceof PyTuple ? shapeValue.items.length : -1;
    const axes =
      axisOrder instanceof PyTuple && axisOrder.items.every((a) => typeof a === 'number')
        ? (axisOrder.items as number[])
        : null;
    if (axes === null || axes.length !== shapeItems) {
      throw new PickleFormatError(
        `_frombuffer order 'K' needs an axis_order tuple of ${shapeItems} axes, got ${describe(axisOrder)}`,
        offset,
      );
    }
    if (axes.every((a, i) => a === i)) order = 'C';
    else if (axes.every((a, i) => a === axes.length - 1 - i)) {
      order = 'F';
      permuted = true;
    } else {
      throw new PickleFormatError(
        `_frombuffer axis_order (${axes.join(', ')}) is neither C nor F order (numpy 2.3+ non-contiguous array; not part of an IsolationForest)`,
        offset,
      );
    }
  } else if (axisOrder !== undefined && axisOrder !== null) {
    throw new PickleFormatError(
      `_frombuffer axis_order is only used with order 'K', got ${describe(axisOrder)} with ${describe(rawOrder)}`,
      offset,
    );
  }
  if (!(dtype instanceof DType) || !dtype.built || dtype.hasObject) {
    throw new PickleFormatError(
      `_frombuffer needs a built numeric dtype, got ${describe(dtype)}`,
      offset,
    );
  }
  if (order !== 'C' && order !== 'F') {
    throw new PickleFormatError(
      `_frombuffer order must be 'C' or 'F', got ${describe(order)}`,
      offset,
    );
  }
  const stored = shapeOf(shapeValue, '_frombuffer', offset);
  // order 'K' with reversed axes: C order of `stored` transposed is F order of the reverse.
  const shape = permuted ? [...stored].reverse() : stored;
  const bytes = byteLength(shape, dtype, buffer.length, '_frombuffer array', offset);
  if (bytes !== buffer.length) {
    throw new PickleFormatError(
      `_frombuffer array of shape (${shape.join(', ')}) and dtype ${dtype.str} needs ${bytes} bytes, got ${buffer.length}`,
      offset,
    );
  }
  return new NdArray(dtype, shape, order === 'F', buffer, null, offset);
}

/** `scalar(dtype, bytes)`: a numpy scalar (scikit-learn's offset_ as numpy.float64). */
export function numpyScalar(args: PyTuple, offset: number): PyValue {
  const [dtype, raw] = args.items;
  if (
    args.items.length !== 2 ||
    !(dtype instanceof DType) ||
    !dtype.built ||
    !(raw instanceof Uint8Array)
  ) {
    throw new PickleFormatError(
      `numpy scalar expects (dtype, bytes), got (${args.items.map(describe).join(', ')})`,
      offset,
    );
  }
  if (dtype.kind === 'V' || dtype.kind === 'O' || raw.length !== dtype.itemsize) {
    throw new PickleFormatError(
      `numpy scalar of dtype ${dtype.str} with ${raw.length} bytes is not supported`,
      offset,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const value = readScalar(view, 0, dtype);
  if (dtype.kind === 'f') return new PyFloat(value);
  if (dtype.kind === 'b') return value !== 0;
  return value;
}

/** `_codecs.encode(text, 'latin1')`: protocol 2's way of writing bytes. */
export function latin1Encode(args: PyTuple, offset: number): Uint8Array {
  const [text, encoding] = args.items;
  if (
    args.items.length !== 2 ||
    typeof text !== 'string' ||
    (encoding !== 'latin1' && encoding !== 'latin-1')
  ) {
    throw new PickleFormatError(
      `_codecs.encode is only read as encode(str, 'latin1'), got (${args.items.map(describe).join(', ')})`,
      offset,
    );
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) {
      throw new PickleFormatError(
        `_codecs.encode: character U+${code.toString(16).padStart(4, '0')} is not latin-1`,
        offset,
      );
    }
    out[i] = code;
  }
  return out;
}

function setArray(
  array: NdArray,
  dtype: DType,
  shape: number[],
  fortran: boolean,
  data: Uint8Array | null,
  objects: readonly PyValue[] | null,
): void {
  array.dtype = dtype;
  array.shape = shape;
  array.fortran = fortran;
  array.data = data;
  array.objects = objects;
  array.built = true;
}

/** Reads one numeric element (kinds b, i, u, f) as a JS number; 64-bit integers beyond 2^53 are rounded. */
export function readScalar(view: DataView, pos: number, dtype: DType): number {
  const le = dtype.littleEndian;
  switch (dtype.kind) {
    case 'f':
      return dtype.itemsize === 8 ? view.getFloat64(pos, le) : view.getFloat32(pos, le);
    case 'b':
      return view.getUint8(pos);
    case 'i':
    case 'u':
      return readInteger(view, pos, dtype.itemsize, dtype.kind === 'i', le);
    case 'V':
    case 'O':
      throw new PickleFormatError(`dtype ${dtype.str} is not numeric`, dtype.offset);
  }
}

function readInteger(
  view: DataView,
  pos: number,
  size: number,
  signed: boolean,
  le: boolean,
): number {
  switch (size) {
    case 1:
      return signed ? view.getInt8(pos) : view.getUint8(pos);
    case 2:
      return signed ? view.getInt16(pos, le) : view.getUint16(pos, le);
    case 4:
      return signed ? view.getInt32(pos, le) : view.getUint32(pos, le);
    default: {
      const lo = view.getUint32(le ? pos : pos + 4, le);
      const hiPos = le ? pos + 4 : pos;
      const hi = signed ? view.getInt32(hiPos, le) : view.getUint32(hiPos, le);
      return hi * 4294967296 + lo;
    }
  }
}

/**
 * The values of a 1-D numeric array, or of one field of a 1-D structured array, as float64
 * numbers (exact for every integer up to 2^53). Read by field name from the dtype descriptor.
 */
export function readColumn(array: NdArray, what: string, fieldName?: string): Float64Array {
  const dtype = array.dtype;
  if (!array.built || dtype === null || array.data === null) {
    throw new PickleFormatError(`${what} is not a numeric array`, array.offset);
  }
  if (array.shape.length !== 1) {
    throw new PickleFormatError(
      `${what} must be 1-dimensional, got shape (${array.shape.join(', ')})`,
      array.offset,
    );
  }
  let elementType = dtype;
  let fieldOffset = 0;
  if (fieldName !== undefined) {
    const field = dtype.field(fieldName);
    if (field === undefined) {
      throw new PickleFormatError(
        `${what} has no field '${printable(fieldName)}' (dtype fields: ${dtype.fields?.map((f) => f.name).join(', ') ?? 'none'})`,
        array.offset,
      );
    }
    elementType = field.dtype;
    fieldOffset = field.offset;
  } else if (dtype.kind === 'V' || dtype.kind === 'O') {
    throw new PickleFormatError(`${what} must be numeric, got dtype ${dtype.str}`, array.offset);
  }
  const n = array.shape[0];
  const out = new Float64Array(n);
  const data = array.data;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stride = dtype.itemsize;
  for (let i = 0, pos = fieldOffset; i < n; i++, pos += stride) {
    out[i] = readScalar(view, pos, elementType);
  }
  return out;
}
