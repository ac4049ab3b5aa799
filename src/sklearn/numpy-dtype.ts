import { PickleFormatError } from './pickle-error';
import { describe, printable, PyDict, PyTuple, type PyValue } from './py-values';

/** numpy dtype kinds the reader understands: bool, signed/unsigned int, float, void (structs), object. */
export type DTypeKind = 'b' | 'i' | 'u' | 'f' | 'V' | 'O';

/** One named field of a structured dtype, read from the pickled descriptor. */
export interface DTypeField {
  readonly name: string;
  readonly dtype: DType;
  /** Byte offset of the field inside one element. */
  readonly offset: number;
}

/** Largest struct the reader accepts (scikit-learn's node struct is 56 or 64 bytes). */
const MAX_STRUCT_BYTES = 1 << 16;
/** Most fields a struct may have (scikit-learn's node struct has 7 or 8). */
const MAX_FIELDS = 256;

const SIZES: Readonly<Record<DTypeKind, readonly number[] | null>> = {
  b: [1],
  i: [1, 2, 4, 8],
  u: [1, 2, 4, 8],
  f: [4, 8],
  O: [4, 8],
  V: null,
};

/**
 * A numpy dtype as pickled: `numpy.dtype(typeString, align, copy)` (REDUCE), then `BUILD` with
 * the descriptor state `(version, byteorder, subarray, names, fields, elsize, alignment, flags
 * [, metadata])`. Structured dtypes keep their fields exactly as the descriptor says (names,
 * offsets, item size, byte order per field), so layouts are never hard-coded.
 */
export class DType {
  built = false;
  byteOrder: '<' | '>' | '|' = '|';
  fields: readonly DTypeField[] | null = null;

  constructor(
    readonly kind: DTypeKind,
    public itemsize: number,
    readonly offset: number,
  ) {}

  /** Whether multi-byte values are stored little-endian ('|' only occurs for 1-byte items and structs). */
  get littleEndian(): boolean {
    return this.byteOrder !== '>';
  }

  /** numpy's `dtype.hasobject`: elements hold Python object references. */
  get hasObject(): boolean {
    return this.kind === 'O';
  }

  /** numpy's `dtype.str`, e.g. `<f8`, `|V56`. */
  get str(): string {
    return `${this.byteOrder}${this.kind}${this.itemsize}`;
  }

  /** The field called `name`, if this is a structured dtype that has one. */
  field(name: string): DTypeField | undefined {
    return this.fields?.find((f) => f.name === name);
  }
}

/** `numpy.dtype(typeString, align, copy)`: a dtype awaiting its BUILD. */
export function createDType(args: PyTuple, offset: number): DType {
  const [typeString, align, copy] = args.items;
  if (
    args.items.length !== 3 ||
    typeof typeString !== 'string' ||
    !isFlag(align) ||
    !isFlag(copy)
  ) {
    throw new PickleFormatError(
      `numpy.dtype expects (type string, align, copy), got (${args.items.map(describe).join(', ')})`,
      offset,
    );
  }
  const match = /^([biufVO])([0-9]{1,6})$/.exec(typeString);
  if (match === null) {
    throw new PickleFormatError(`unsupported numpy dtype '${printable(typeString)}'`, offset);
  }
  const kind = match[1] as DTypeKind;
  const size = Number(match[2]);
  const allowed = SIZES[kind];
  if (allowed === null ? size < 1 || size > MAX_STRUCT_BYTES : !allowed.includes(size)) {
    throw new PickleFormatError(`unsupported numpy dtype '${typeString}'`, offset);
  }
  return new DType(kind, size, offset);
}

/** Applies a dtype's BUILD state (numpy's `arraydescr_setstate`, versions 3 and 4). */
export function buildDType(dtype: DType, state: PyValue, offset: number): void {
  if (dtype.built) throw new PickleFormatError('numpy.dtype is built twice', offset);
  if (!(state instanceof PyTuple)) {
    throw new PickleFormatError(
      `numpy.dtype state must be a tuple, got ${describe(state)}`,
      offset,
    );
  }
  const s = state.items;
  const version = s[0];
  if (!((version === 3 && s.length === 8) || (version === 4 && s.length === 9))) {
    throw new PickleFormatError(
      `unsupported numpy.dtype state (version ${describe(version)}, ${s.length} items)`,
      offset,
    );
  }
  const [, byteOrder, subarray, names, fields, elsize, alignment, flags] = s;
  if (byteOrder !== '<' && byteOrder !== '>' && byteOrder !== '|') {
    throw new PickleFormatError(
      `numpy.dtype byte order must be '<', '>' or '|', got ${typeof byteOrder === 'string' ? `'${printable(byteOrder)}'` : describe(byteOrder)}`,
      offset,
    );
  }
  if (subarray !== null) {
    throw new PickleFormatError(
      'sub-array dtypes are not supported (such as the uint32[8] left_cat_bitset node field of scikit-learn after 1.9, unreleased main: categorical splits)',
      offset,
    );
  }
  if (!isInt(elsize) || !isInt(alignment) || !isInt(flags)) {
    throw new PickleFormatError('numpy.dtype state has a non-integer size or flag', offset);
  }
  if (byteOrder === '|' && dtype.itemsize > 1 && dtype.kind !== 'V' && dtype.kind !== 'O') {
    throw new PickleFormatError(
      `numpy.dtype ${dtype.kind}${dtype.itemsize} has no byte order`,
      offset,
    );
  }
  if (dtype.kind === 'V') {
    if (elsize !== dtype.itemsize) {
      throw new PickleFormatError(
        `structured dtype V${dtype.itemsize} declares item size ${elsize}`,
        offset,
      );
    }
    dtype.fields = readFields(dtype.itemsize, names, fields, offset);
  } else if (elsize !== -1 || names !== null || fields !== null) {
    throw new PickleFormatError(
      `numpy.dtype ${dtype.kind}${dtype.itemsize} state has a size or fields`,
      offset,
    );
  }
  dtype.byteOrder = byteOrder;
  dtype.built = true;
}

function readFields(
  itemsize: number,
  names: PyValue,
  fields: PyValue,
  offset: number,
): readonly DTypeField[] | null {
  if (names === null && fields === null) return null;
  if (!(names instanceof PyTuple) || !(fields instanceof PyDict)) {
    throw new PickleFormatError('structured dtype needs a names tuple and a fields dict', offset);
  }
  if (names.items.length > MAX_FIELDS) {
    throw new PickleFormatError(
      `structured dtype has ${names.items.length} fields (at most ${MAX_FIELDS} are read)`,
      offset,
    );
  }
  const out: DTypeField[] = [];
  const seen = new Set<string>();
  for (const name of names.items) {
    if (typeof name !== 'string') {
      throw new PickleFormatError(`structured dtype field name is ${describe(name)}`, offset);
    }
    if (seen.has(name)) {
      throw new PickleFormatError(`structured dtype repeats field '${printable(name)}'`, offset);
    }
    seen.add(name);
    const spec = fields.entries.get(name);
    if (!(spec instanceof PyTuple) || spec.items.length < 2 || spec.items.length > 3) {
      throw new PickleFormatError(
        `structured dtype field '${printable(name)}' must be (dtype, offset[, title])`,
        offset,
      );
    }
    const [fieldType, fieldOffset] = spec.items;
    if (!(fieldType instanceof DType) || !fieldType.built) {
      throw new PickleFormatError(`field '${printable(name)}' has no built dtype`, offset);
    }
    if (fieldType.kind === 'V' || fieldType.kind === 'O') {
      throw new PickleFormatError(
        `field '${printable(name)}' of kind ${fieldType.kind} is not supported (numeric fields only)`,
        offset,
      );
    }
    if (!isInt(fieldOffset) || fieldOffset < 0 || fieldOffset + fieldType.itemsize > itemsize) {
      throw new PickleFormatError(
        `field '${printable(name)}' at offset ${isInt(fieldOffset) ? fieldOffset : describe(fieldOffset)} overruns the ${itemsize}-byte item`,
        offset,
      );
    }
    out.push({ name, dtype: fieldType, offset: fieldOffset });
  }
  return out;
}

function isInt(v: PyValue | undefined): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function isFlag(v: PyValue | undefined): boolean {
  return typeof v === 'boolean' || v === 0 || v === 1;
}
