import { ALLOWED_GLOBALS } from './allowlist';
import {
  buildArray,
  byteLength,
  fromBuffer,
  latin1Encode,
  numpyScalar,
  reconstructArray,
  shapeOf,
} from './numpy-array';
import { buildDType, createDType, DType } from './numpy-dtype';
import { opcodeLabel, OP, REFUSED_OPCODES } from './opcodes';
import { PickleFormatError, PickleSecurityError } from './pickle-error';
import {
  describe,
  NdArray,
  printable,
  PyDict,
  PyFloat,
  PyGlobal,
  PyInstance,
  PyList,
  PyRandomState,
  PySet,
  PyTuple,
  type PyKey,
  type PyValue,
} from './py-values';

/** Resource limits that bound memory and time on hostile input. */
export interface PickleLimits {
  /** Memo slots (`BINPUT`/`MEMOIZE`); a 100-tree model uses ~3,000. @default 1_000_000 */
  readonly maxMemoEntries: number;
  /** Values on the stack, all MARK levels together. @default 100_000 */
  readonly maxStackSize: number;
  /** Nested MARKs. @default 1_000 */
  readonly maxMarkDepth: number;
  /** Items in one list, tuple, dict, set or object array. @default 1_000_000 */
  readonly maxContainerLength: number;
  /** Composite values created (containers, instances, arrays); ~25 per tree. @default 2_000_000 */
  readonly maxObjects: number;
}

/** Default {@link PickleLimits}: far above any real IsolationForest, far below harm. */
export const DEFAULT_PICKLE_LIMITS: PickleLimits = Object.freeze({
  maxMemoEntries: 1_000_000,
  maxStackSize: 100_000,
  maxMarkDepth: 1_000,
  maxContainerLength: 1_000_000,
  maxObjects: 2_000_000,
});

/** What one pickle stream produced. */
export interface UnpickleResult {
  /** The object STOP returned. */
  readonly value: PyValue;
  /** Byte offset just after STOP. */
  readonly end: number;
  /** The PROTO version (2 to 5). */
  readonly protocol: number;
  /** joblib `NumpyArrayWrapper` arrays read inline (0 for a plain pickle). */
  readonly joblibArrays: number;
}

/** Longest module or name a GLOBAL line may have. */
const MAX_GLOBAL_LINE = 256;
/** Strings up to this many bytes are decoded by hand when pure ASCII (the common case). */
const SHORT_STRING = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one pickle stream starting at `start`, interpreting only the data-building subset of
 * protocols 2 to 5 (opcodes listed in `step`) and the allowlisted globals (allowlist.ts).
 * Nothing is ever called or imported: globals become inert {@link PyGlobal} records and REDUCE,
 * NEWOBJ and BUILD are interpreted for the few numpy and scikit-learn types they may target.
 * joblib's inline arrays (raw bytes right after a `NumpyArrayWrapper`'s BUILD) are read in place.
 *
 * @throws PickleSecurityError for a refused global or opcode, PickleFormatError for anything
 *   else unexpected; both carry the byte offset of the offending opcode.
 */
export function unpickle(
  bytes: Uint8Array,
  start = 0,
  limits: PickleLimits = DEFAULT_PICKLE_LIMITS,
): UnpickleResult {
  return new PickleMachine(bytes, start, limits, 0).run();
}

class PickleMachine {
  private pos: number;
  private readonly end: number;
  private readonly view: DataView;
  private stack: PyValue[] = [];
  private readonly metastack: PyValue[][] = [];
  /** Values held by the frames saved in `metastack`. */
  private stashed = 0;
  private readonly memo = new Map<number, PyValue>();
  private objects = 0;
  private protocol = 0;
  private joblibArrays = 0;
  /**
   * Bytes `_codecs.encode` may still produce: a protocol-2 file spells each array's bytes once,
   * so their total never exceeds the stream's size (a memo-shared string encoded over and over
   * would otherwise multiply memory).
   */
  private latin1Budget: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly start: number,
    private readonly limits: PickleLimits,
    /** 0 for the file's pickle, 1 for a joblib object array's nested pickle. */
    private readonly depth: number,
  ) {
    this.pos = start;
    this.end = bytes.length;
    this.latin1Budget = bytes.length - start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  run(): UnpickleResult {
    const b = this.bytes;
    if (this.pos >= this.end) throw new PickleFormatError('empty pickle stream', this.pos);
    if (b[this.pos] !== OP.PROTO) {
      throw new PickleFormatError(
        `not a pickle of protocol 2 to 5: expected PROTO (0x80), found ${opcodeLabel(b[this.pos])}`,
        this.pos,
      );
    }
    for (;;) {
      if (this.pos >= this.end) {
        throw new PickleFormatError('truncated pickle: the stream ends before STOP', this.pos);
      }
      const at = this.pos;
      const op = b[this.pos++];
      if (op === OP.STOP) return this.stop(at);
      this.step(op, at);
    }
  }

  private stop(at: number): UnpickleResult {
    if (this.metastack.length > 0) throw new PickleFormatError('STOP inside an open MARK', at);
    if (this.stack.length !== 1) {
      throw new PickleFormatError(
        `STOP with ${this.stack.length} values on the stack (expected 1)`,
        at,
      );
    }
    return {
      value: this.stack[0],
      end: this.pos,
      protocol: this.protocol,
      joblibArrays: this.joblibArrays,
    };
  }

  // One opcode. Kept as a single switch: it is the hot loop of the reader.
  private step(op: number, at: number): void {
    switch (op) {
      case OP.PROTO: {
        const version = this.u8(at, op);
        if (at !== this.start)
          throw new PickleFormatError('PROTO after the start of the stream', at);
        if (version < 2 || version > 5) {
          throw new PickleFormatError(
            `unsupported pickle protocol ${version} (2 to 5 are read)`,
            at,
          );
        }
        this.protocol = version;
        return;
      }
      case OP.FRAME: {
        // A read-ahead hint; only its length is checked.
        const length = this.u64(at, op);
        if (length > this.end - this.pos) {
          throw new PickleFormatError(
            `FRAME declares ${length} bytes but only ${this.end - this.pos} remain`,
            at,
          );
        }
        return;
      }
      case OP.MARK:
        if (this.metastack.length >= this.limits.maxMarkDepth) {
          throw new PickleFormatError(
            `MARKs nested deeper than ${this.limits.maxMarkDepth} levels`,
            at,
          );
        }
        this.stashed += this.stack.length;
        this.metastack.push(this.stack);
        this.stack = [];
        return;
      case OP.POP:
        if (this.stack.length > 0) this.stack.pop();
        else this.popMark(at, op);
        return;
      case OP.POP_MARK:
        this.popMark(at, op);
        return;

      // Scalars
      case OP.NONE:
        return this.push(null, at);
      case OP.NEWTRUE:
        return this.push(true, at);
      case OP.NEWFALSE:
        return this.push(false, at);
      case OP.BININT1:
        return this.push(this.u8(at, op), at);
      case OP.BININT2: {
        this.need(2, at, op);
        const v = this.view.getUint16(this.pos, true);
        this.pos += 2;
        return this.push(v, at);
      }
      case OP.BININT: {
        this.need(4, at, op);
        const v = this.view.getInt32(this.pos, true);
        this.pos += 4;
        return this.push(v, at);
      }
      case OP.LONG1:
        return this.push(this.long1(at, op), at);
      case OP.BINFLOAT: {
        this.need(8, at, op);
        // Big-endian, unlike every other number in a pickle.
        const v = this.view.getFloat64(this.pos, false);
        this.pos += 8;
        return this.push(new PyFloat(v), at);
      }

      // Strings and bytes
      case OP.SHORT_BINUNICODE:
        return this.push(this.text(this.u8(at, op), at, op), at);
      case OP.BINUNICODE:
        return this.push(this.text(this.u32(at, op), at, op), at);
      case OP.BINUNICODE8:
        return this.push(this.text(this.u64(at, op), at, op), at);
      case OP.SHORT_BINBYTES:
        return this.push(this.take(this.u8(at, op), at, op), at);
      case OP.BINBYTES:
        return this.push(this.take(this.u32(at, op), at, op), at);
      case OP.BINBYTES8:
      case OP.BYTEARRAY8:
        return this.push(this.take(this.u64(at, op), at, op), at);

      // Tuples
      case OP.EMPTY_TUPLE:
        return this.push(this.tuple([], at), at);
      case OP.TUPLE:
        return this.push(this.tuple(this.popMark(at, op), at), at);
      case OP.TUPLE1: {
        const a = this.pop(at, op);
        return this.push(this.tuple([a], at), at);
      }
      case OP.TUPLE2: {
        const b2 = this.pop(at, op);
        const a = this.pop(at, op);
        return this.push(this.tuple([a, b2], at), at);
      }
      case OP.TUPLE3: {
        const c = this.pop(at, op);
        const b2 = this.pop(at, op);
        const a = this.pop(at, op);
        return this.push(this.tuple([a, b2, c], at), at);
      }

      // Lists
      case OP.EMPTY_LIST:
        this.count(at);
        return this.push(new PyList(at), at);
      case OP.APPEND: {
        const value = this.pop(at, op);
        this.appendTo(this.top(at, op), [value], at, op);
        return;
      }
      case OP.APPENDS: {
        const items = this.popMark(at, op);
        this.appendTo(this.top(at, op), items, at, op);
        return;
      }

      // Dicts
      case OP.EMPTY_DICT:
        this.count(at);
        return this.push(new PyDict(at), at);
      case OP.SETITEM: {
        const value = this.pop(at, op);
        const key = this.pop(at, op);
        this.setItems(this.top(at, op), [key, value], at, op);
        return;
      }
      case OP.SETITEMS: {
        const items = this.popMark(at, op);
        this.setItems(this.top(at, op), items, at, op);
        return;
      }

      // Sets
      case OP.EMPTY_SET:
        this.count(at);
        return this.push(new PySet(at, false), at);
      case OP.ADDITEMS: {
        const items = this.popMark(at, op);
        const set = this.top(at, op);
        if (!(set instanceof PySet) || set.frozen) {
          throw new PickleFormatError(`ADDITEMS to ${describe(set)}, not a set`, at);
        }
        this.grow(set.items, items, at);
        return;
      }
      case OP.FROZENSET: {
        const items = this.popMark(at, op);
        this.count(at);
        const set = new PySet(at, true);
        this.grow(set.items, items, at);
        return this.push(set, at);
      }

      // Memo
      case OP.BINPUT:
        return this.memoPut(this.u8(at, op), at, op);
      case OP.LONG_BINPUT:
        return this.memoPut(this.u32(at, op), at, op);
      case OP.MEMOIZE:
        return this.memoPut(this.memo.size, at, op);
      case OP.BINGET:
        return this.memoGet(this.u8(at, op), at, op);
      case OP.LONG_BINGET:
        return this.memoGet(this.u32(at, op), at, op);

      // Globals and objects
      case OP.GLOBAL: {
        const module = this.line(at, op);
        const name = this.line(at, op);
        return this.push(this.global(module, name, at), at);
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop(at, op);
        const module = this.pop(at, op);
        if (typeof module !== 'string' || typeof name !== 'string') {
          throw new PickleFormatError(
            `STACK_GLOBAL needs two str, got ${describe(module)} and ${describe(name)}`,
            at,
          );
        }
        return this.push(this.global(module, name, at), at);
      }
      case OP.REDUCE: {
        const args = this.pop(at, op);
        const callable = this.pop(at, op);
        return this.push(this.reduce(callable, args, at), at);
      }
      case OP.NEWOBJ: {
        const args = this.pop(at, op);
        const cls = this.pop(at, op);
        return this.push(this.newObject(cls, args, at), at);
      }
      case OP.BUILD: {
        const state = this.pop(at, op);
        const target = this.top(at, op);
        const built = this.build(target, state, at);
        this.stack[this.stack.length - 1] = built;
        return;
      }

      default: {
        const reason = REFUSED_OPCODES.get(op);
        if (reason !== undefined) {
          throw new PickleSecurityError(
            `refused opcode ${opcodeLabel(op)}: ${reason}; nothing was executed`,
            at,
          );
        }
        throw new PickleFormatError(`unknown opcode ${opcodeLabel(op)}`, at);
      }
    }
  }

  // ---- stack and memo -------------------------------------------------------------------------

  private push(value: PyValue, at: number): void {
    if (this.stack.length + this.stashed >= this.limits.maxStackSize) {
      throw new PickleFormatError(
        `more than ${this.limits.maxStackSize} values on the pickle stack`,
        at,
      );
    }
    this.stack.push(value);
  }

  private pop(at: number, op: number): PyValue {
    if (this.stack.length === 0) throw this.underflow(at, op);
    return this.stack.pop() as PyValue;
  }

  private top(at: number, op: number): PyValue {
    if (this.stack.length === 0) throw this.underflow(at, op);
    return this.stack[this.stack.length - 1];
  }

  private underflow(at: number, op: number): PickleFormatError {
    return new PickleFormatError(
      `${opcodeLabel(op)} needs a value but the stack${this.metastack.length > 0 ? ' above the last MARK' : ''} is empty`,
      at,
    );
  }

  private popMark(at: number, op: number): PyValue[] {
    const saved = this.metastack.pop();
    if (saved === undefined) {
      throw new PickleFormatError(`${opcodeLabel(op)} without a matching MARK`, at);
    }
    const items = this.stack;
    this.stack = saved;
    this.stashed -= saved.length;
    return items;
  }

  private memoPut(index: number, at: number, op: number): void {
    const value = this.top(at, op);
    if (this.memo.has(index)) {
      throw new PickleFormatError(`${opcodeLabel(op)} overwrites memo slot ${index}`, at);
    }
    if (this.memo.size >= this.limits.maxMemoEntries) {
      throw new PickleFormatError(`more than ${this.limits.maxMemoEntries} memo entries`, at);
    }
    this.memo.set(index, value);
  }

  private memoGet(index: number, at: number, op: number): void {
    const value = this.memo.get(index);
    if (value === undefined) {
      throw new PickleFormatError(
        `${opcodeLabel(op)} reads memo slot ${index}, which was never set`,
        at,
      );
    }
    this.push(value, at);
  }

  /** Counts one composite value against the object budget. */
  private count(at: number): void {
    if (++this.objects > this.limits.maxObjects) {
      throw new PickleFormatError(`more than ${this.limits.maxObjects} objects in the pickle`, at);
    }
  }

  // ---- containers -----------------------------------------------------------------------------

  private tuple(items: PyValue[], at: number): PyTuple {
    this.count(at);
    if (items.length > this.limits.maxContainerLength) {
      throw new PickleFormatError(
        `tuple of ${items.length} items exceeds ${this.limits.maxContainerLength}`,
        at,
      );
    }
    return new PyTuple(items, at);
  }

  private grow(target: PyValue[], items: readonly PyValue[], at: number): void {
    if (target.length + items.length > this.limits.maxContainerLength) {
      throw new PickleFormatError(
        `container grows beyond ${this.limits.maxContainerLength} items`,
        at,
      );
    }
    for (const item of items) target.push(item);
  }

  private appendTo(list: PyValue, items: readonly PyValue[], at: number, op: number): void {
    if (!(list instanceof PyList)) {
      throw new PickleFormatError(`${opcodeLabel(op)} to ${describe(list)}, not a list`, at);
    }
    this.grow(list.items, items, at);
  }

  private setItems(dict: PyValue, items: readonly PyValue[], at: number, op: number): void {
    if (!(dict instanceof PyDict)) {
      throw new PickleFormatError(`${opcodeLabel(op)} on ${describe(dict)}, not a dict`, at);
    }
    if (items.length % 2 !== 0) {
      throw new PickleFormatError(`${opcodeLabel(op)} with an odd number of values`, at);
    }
    if (dict.entries.size + items.length / 2 > this.limits.maxContainerLength) {
      throw new PickleFormatError(`dict grows beyond ${this.limits.maxContainerLength} items`, at);
    }
    for (let i = 0; i < items.length; i += 2) {
      dict.entries.set(dictKey(items[i], at), items[i + 1]);
    }
  }

  // ---- globals and objects --------------------------------------------------------------------

  private global(module: string, name: string, at: number): PyGlobal {
    const qualified = `${module}.${name}`;
    const kind = ALLOWED_GLOBALS.get(qualified);
    if (kind === undefined) {
      throw new PickleSecurityError(
        `refused global ${printable(qualified)}: only the numpy and scikit-learn classes an IsolationForest is made of are allowed; nothing was executed`,
        at,
      );
    }
    if (kind === 'joblib-array-wrapper' && this.depth > 0) {
      throw new PickleSecurityError(
        `refused global ${qualified} inside a joblib object-array pickle`,
        at,
      );
    }
    this.count(at);
    return new PyGlobal(module, name, kind, at);
  }

  private reduce(callable: PyValue, args: PyValue, at: number): PyValue {
    if (!(callable instanceof PyGlobal)) {
      throw new PickleSecurityError(
        `REDUCE calls ${describe(callable)}, not an allowed function`,
        at,
      );
    }
    if (!(args instanceof PyTuple)) {
      throw new PickleFormatError(
        `REDUCE of ${callable.qualifiedName} with ${describe(args)} instead of an argument tuple`,
        at,
      );
    }
    this.count(at);
    switch (callable.kind) {
      case 'dtype':
        return createDType(args, at);
      case 'reconstruct':
        return reconstructArray(args, at);
      case 'frombuffer':
        return fromBuffer(args, at);
      case 'scalar':
        return numpyScalar(args, at);
      case 'codecs-encode': {
        const text = args.items[0];
        if (typeof text === 'string') {
          if (text.length > this.latin1Budget) {
            throw new PickleFormatError(
              '_codecs.encode would produce more bytes than the file holds (a string reused by reference?)',
              at,
            );
          }
          this.latin1Budget -= text.length;
        }
        return latin1Encode(args, at);
      }
      case 'tree':
        if (args.items.length === 4) {
          throw new PickleFormatError(
            'unsupported scikit-learn tree layout: Tree has a 4th argument (n_categories), the categorical-split layout of scikit-learn after 1.9 (unreleased main, node field left_cat_bitset); releases up to 1.9 are read',
            at,
          );
        }
        if (args.items.length !== 3) {
          throw new PickleFormatError(
            `Tree expects (n_features, n_classes, n_outputs), got ${args.items.length} arguments`,
            at,
          );
        }
        return new PyInstance(callable, args, at);
      case 'randomstate-ctor':
        return randomState(args, at);
      case 'bit-generator-ctor':
        return bitGenerator(args, at);
      case 'isolation-forest':
      case 'extra-tree':
      case 'ndarray':
      case 'joblib-array-wrapper':
      case 'mt19937':
        throw new PickleSecurityError(
          `refused REDUCE of ${callable.qualifiedName}: scikit-learn never pickles it that way`,
          at,
        );
    }
  }

  private newObject(cls: PyValue, args: PyValue, at: number): PyInstance {
    if (
      !(cls instanceof PyGlobal) ||
      (cls.kind !== 'isolation-forest' &&
        cls.kind !== 'extra-tree' &&
        cls.kind !== 'joblib-array-wrapper')
    ) {
      throw new PickleSecurityError(`refused NEWOBJ of ${describe(cls)}`, at);
    }
    if (!(args instanceof PyTuple) || args.items.length !== 0) {
      throw new PickleFormatError(
        `NEWOBJ of ${cls.qualifiedName} with ${describe(args)} instead of ()`,
        at,
      );
    }
    this.count(at);
    return new PyInstance(cls, args, at);
  }

  /** BUILD: sets `state` on `target`; returns what replaces `target` on the stack. */
  private build(target: PyValue, state: PyValue, at: number): PyValue {
    if (target instanceof DType) {
      buildDType(target, state, at);
      return target;
    }
    if (target instanceof NdArray) {
      buildArray(target, state, this.limits.maxContainerLength, at);
      return target;
    }
    if (target instanceof PyRandomState) {
      // RandomState: its get_state() dict. Bit generator (numpy 2): (state dict, seed sequence).
      if (target.state !== undefined) {
        throw new PickleFormatError(`numpy.random ${target.kind} is built twice`, at);
      }
      if (!(state instanceof PyDict) && !(state instanceof PyTuple)) {
        throw new PickleFormatError(
          `numpy.random ${target.kind} state must be a dict or tuple, got ${describe(state)}`,
          at,
        );
      }
      target.state = state;
      return target;
    }
    if (!(target instanceof PyInstance)) {
      throw new PickleSecurityError(`refused BUILD on ${describe(target)}`, at);
    }
    if (target.state !== undefined) {
      throw new PickleFormatError(`${target.cls.qualifiedName} is built twice`, at);
    }
    if (!(state instanceof PyDict)) {
      throw new PickleFormatError(
        `${target.cls.qualifiedName} state must be a dict, got ${describe(state)}`,
        at,
      );
    }
    target.state = state;
    return target.cls.kind === 'joblib-array-wrapper' ? this.inlineArray(state, at) : target;
  }

  /**
   * joblib's `NumpyArrayWrapper.read_array`: the array's bytes follow the BUILD outside the pickle
   * grammar. Numeric arrays: one pad-length byte p, p bytes of 0xFF (when the wrapper has
   * `numpy_array_alignment_bytes`), then prod(shape) * itemsize raw bytes. Object arrays: a
   * complete nested pickle (own memo) of the array.
   */
  private inlineArray(state: PyDict, at: number): NdArray {
    const get = (key: string): PyValue | undefined => state.entries.get(key);
    const subclass = get('subclass');
    if (!(subclass instanceof PyGlobal) || subclass.kind !== 'ndarray') {
      throw new PickleFormatError(
        `NumpyArrayWrapper subclass must be numpy.ndarray, got ${describe(subclass)}`,
        at,
      );
    }
    const shape = shapeOf(get('shape') ?? null, 'NumpyArrayWrapper', at);
    const order = get('order');
    if (order !== 'C' && order !== 'F') {
      throw new PickleFormatError(
        `NumpyArrayWrapper order must be 'C' or 'F', got ${describe(order)}`,
        at,
      );
    }
    const dtype = get('dtype');
    if (!(dtype instanceof DType) || !dtype.built) {
      throw new PickleFormatError(`NumpyArrayWrapper has no built dtype (${describe(dtype)})`, at);
    }
    this.joblibArrays++;
    if (dtype.hasObject) return this.nestedObjectArray(shape, at);

    const alignment = get('numpy_array_alignment_bytes') ?? null;
    if (alignment !== null) {
      if (
        typeof alignment !== 'number' ||
        !Number.isInteger(alignment) ||
        alignment < 1 ||
        alignment > 4096
      ) {
        throw new PickleFormatError(
          `NumpyArrayWrapper alignment must be an int in [1, 4096], got ${describe(alignment)}`,
          at,
        );
      }
      const padAt = this.pos;
      const pad = this.u8(padAt, OP.BUILD);
      if (pad > alignment) {
        throw new PickleFormatError(
          `joblib array padding of ${pad} bytes exceeds the ${alignment}-byte alignment`,
          padAt,
        );
      }
      this.need(pad, padAt, OP.BUILD);
      for (let i = 0; i < pad; i++) {
        if (this.bytes[this.pos + i] !== 0xff) {
          throw new PickleFormatError('joblib array padding is not 0xFF bytes', this.pos + i);
        }
      }
      this.pos += pad;
    }
    const dataAt = this.pos;
    const length = byteLength(shape, dtype, this.end - dataAt, 'joblib inline array', dataAt);
    const data = this.bytes.subarray(dataAt, dataAt + length);
    this.pos += length;
    return new NdArray(dtype, shape, order === 'F', data, null, dataAt);
  }

  private nestedObjectArray(shape: number[], at: number): NdArray {
    if (this.depth > 0) {
      throw new PickleFormatError('nested joblib object-array pickles are not supported', at);
    }
    const nested = new PickleMachine(this.bytes, this.pos, this.limits, this.depth + 1).run();
    const array = nested.value;
    if (
      !(array instanceof NdArray) ||
      !array.built ||
      array.dtype === null ||
      !array.dtype.hasObject ||
      array.shape.length !== shape.length ||
      array.shape.some((d, i) => d !== shape[i])
    ) {
      throw new PickleFormatError(
        `joblib object array of shape (${shape.join(', ')}) holds ${describe(array)}`,
        this.pos,
      );
    }
    this.pos = nested.end;
    return array;
  }

  // ---- raw reads ------------------------------------------------------------------------------

  private need(n: number, at: number, op: number): void {
    if (n > this.end - this.pos) {
      throw new PickleFormatError(
        `truncated pickle: ${opcodeLabel(op)} needs ${n} bytes but only ${this.end - this.pos} remain`,
        at,
      );
    }
  }

  private u8(at: number, op: number): number {
    this.need(1, at, op);
    return this.bytes[this.pos++];
  }

  private u32(at: number, op: number): number {
    this.need(4, at, op);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** An unsigned 64-bit length; exact below 2^53, and anything larger fails the size checks. */
  private u64(at: number, op: number): number {
    this.need(8, at, op);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }

  private take(n: number, at: number, op: number): Uint8Array {
    this.need(n, at, op);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private text(n: number, at: number, op: number): string {
    const raw = this.take(n, at, op);
    if (n <= SHORT_STRING) {
      let s = '';
      let ascii = true;
      for (let i = 0; i < n; i++) {
        const c = raw[i];
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        s += String.fromCharCode(c);
      }
      if (ascii) return s;
    }
    try {
      return utf8.decode(raw);
    } catch {
      throw new PickleFormatError(`${opcodeLabel(op)} holds invalid UTF-8`, at);
    }
  }

  /** A GLOBAL operand: printable ASCII up to a newline. */
  private line(at: number, op: number): string {
    const limit = Math.min(this.end, this.pos + MAX_GLOBAL_LINE);
    let s = '';
    for (let i = this.pos; i < limit; i++) {
      const c = this.bytes[i];
      if (c === 0x0a) {
        this.pos = i + 1;
        return s;
      }
      if (c < 0x20 || c > 0x7e) {
        throw new PickleFormatError(`${opcodeLabel(op)} operand holds a non-printable byte`, at);
      }
      s += String.fromCharCode(c);
    }
    throw new PickleFormatError(
      `${opcodeLabel(op)} operand has no newline within ${MAX_GLOBAL_LINE} bytes`,
      at,
    );
  }

  private long1(at: number, op: number): number | bigint {
    const n = this.u8(at, op);
    if (n > 8) {
      throw new PickleSecurityError(`refused LONG1 of ${n} bytes: integers beyond 64 bits`, at);
    }
    this.need(n, at, op);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[this.pos + i]);
    if (n > 0 && this.bytes[this.pos + n - 1] >= 0x80) v -= 1n << BigInt(8 * n);
    this.pos += n;
    const asNumber = Number(v);
    return Number.isSafeInteger(asNumber) ? asNumber : v;
  }
}

/** The only bit generator scikit-learn's `RandomState` can hold. */
const MT19937 = 'MT19937';

/**
 * `__randomstate_ctor(...)`: numpy 1.x passes ('MT19937') or ('MT19937', bit-generator ctor),
 * numpy 2 passes (bit generator). Anything else (another bit generator, a `Generator`) is
 * refused: scikit-learn's `random_state` is an int, None or a `RandomState`.
 */
function randomState(args: PyTuple, at: number): PyRandomState {
  const [first, second] = args.items;
  const legacy =
    first === MT19937 &&
    (args.items.length === 1 ||
      (args.items.length === 2 &&
        second instanceof PyGlobal &&
        second.kind === 'bit-generator-ctor'));
  const modern =
    args.items.length === 1 && first instanceof PyRandomState && first.kind === MT19937;
  if (!legacy && !modern) {
    throw new PickleFormatError(
      `numpy.random.RandomState is only read with an MT19937 bit generator, got (${args.items.map(describe).join(', ')})`,
      at,
    );
  }
  return new PyRandomState('RandomState', at);
}

/** `__bit_generator_ctor('MT19937')` or `__bit_generator_ctor(numpy.random._mt19937.MT19937)`. */
function bitGenerator(args: PyTuple, at: number): PyRandomState {
  const [name] = args.items;
  const ok =
    args.items.length === 1 &&
    (name === MT19937 || (name instanceof PyGlobal && name.kind === 'mt19937'));
  if (!ok) {
    throw new PickleFormatError(
      `numpy.random bit generators other than MT19937 are not read, got (${args.items.map(describe).join(', ')})`,
      at,
    );
  }
  return new PyRandomState(MT19937, at);
}

function dictKey(key: PyValue, at: number): PyKey {
  if (typeof key === 'string') return key;
  if (typeof key === 'number') return key;
  throw new PickleFormatError(`dict key of type ${describe(key)} is not supported`, at);
}
