/**
 * Inert JavaScript stand-ins for the Python values a scikit-learn pickle builds. Nothing here has
 * behaviour: the reader only ever creates these plain records, so "loading" a pickle never runs
 * code. Python `int` is a JS number (a bigint beyond 2^53), `bool` a boolean, `None` null, `str`
 * a string and `bytes`/`bytearray` a Uint8Array; `float` is boxed in {@link PyFloat} because
 * scikit-learn tells counts from fractions by Python type (`max_samples=1` vs `1.0`).
 *
 * Every composite value records `offset`, the byte offset of the opcode that created it, so that
 * errors found later (while converting the model) can point into the file.
 */

import type { GlobalKind } from './allowlist';
import type { DType } from './numpy-dtype';

/** A Python float (also numpy float scalars such as a `numpy.float64` offset_). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python tuple. */
export class PyTuple {
  constructor(
    readonly items: readonly PyValue[],
    readonly offset: number,
  ) {}
}

/** A Python list (mutable while the pickle is read). */
export class PyList {
  readonly items: PyValue[] = [];
  constructor(readonly offset: number) {}
}

/** Dict keys the reader accepts: str and int (every key a scikit-learn pickle uses is a str). */
export type PyKey = string | number;

/** A Python dict with str or int keys (a Map, so keys can never reach `Object.prototype`). */
export class PyDict {
  readonly entries = new Map<PyKey, PyValue>();
  constructor(readonly offset: number) {}
}

/** A Python set or frozenset (kept as a list of items; never hashed or used). */
export class PySet {
  readonly items: PyValue[] = [];
  constructor(
    readonly offset: number,
    readonly frozen: boolean,
  ) {}
}

/** A reference to an allowlisted global (a class or function), never resolved to real code. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly kind: GlobalKind,
    readonly offset: number,
  ) {}

  /** `module.name`. */
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * An instance of an allowlisted class: a scikit-learn estimator or joblib's NumpyArrayWrapper
 * (made by NEWOBJ with no arguments), or a `sklearn.tree._tree.Tree` (made by REDUCE with its
 * constructor arguments). `state` is what BUILD set (`__setstate__`), once.
 */
export class PyInstance {
  state: PyValue | undefined = undefined;
  constructor(
    readonly cls: PyGlobal,
    readonly args: PyTuple,
    readonly offset: number,
  ) {}
}

/**
 * A numpy random generator object (`numpy.random.RandomState` or its `MT19937` bit generator),
 * as a `random_state` that was an instance rather than an int. Inert: its state (the Mersenne
 * Twister key) is kept as read, never used; scikit-learn only drew from it during `fit`.
 */
export class PyRandomState {
  state: PyValue | undefined = undefined;
  constructor(
    /** `RandomState`, or the bit generator's name (`MT19937`). */
    readonly kind: string,
    readonly offset: number,
  ) {}
}

/**
 * A numpy ndarray. Numeric arrays keep their raw bytes (`data`, a view into the input where
 * possible, interpreted through `dtype`); object arrays keep their items (`objects`). Arrays made
 * by `_reconstruct` are empty placeholders until their BUILD (`built` false until then).
 */
export class NdArray {
  built: boolean;
  constructor(
    public dtype: DType | null,
    public shape: readonly number[],
    public fortran: boolean,
    public data: Uint8Array | null,
    public objects: readonly PyValue[] | null,
    readonly offset: number,
  ) {
    this.built = dtype !== null;
  }
}

/** Any value the reader can build. */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyFloat
  | PyTuple
  | PyList
  | PyDict
  | PySet
  | PyGlobal
  | PyInstance
  | NdArray
  | PyRandomState
  | DType;

/** A short, safe description of a value's type for error messages (never its content). */
export function describe(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number' || typeof value === 'bigint') return 'int';
  if (typeof value === 'string') return 'str';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PyFloat) return 'float';
  if (value instanceof PyTuple) return `tuple of ${value.items.length}`;
  if (value instanceof PyList) return `list of ${value.items.length}`;
  if (value instanceof PyDict) return 'dict';
  if (value instanceof PySet) return value.frozen ? 'frozenset' : 'set';
  if (value instanceof PyGlobal) return `global ${value.qualifiedName}`;
  if (value instanceof PyInstance) return `${value.cls.qualifiedName} instance`;
  if (value instanceof NdArray) return `ndarray of shape (${value.shape.join(', ')})`;
  if (value instanceof PyRandomState) return `numpy.random ${value.kind} instance`;
  return 'numpy.dtype';
}

/** A string made safe to quote in a message: control and non-ASCII characters escaped, capped. */
export function printable(text: string, max = 120): string {
  let out = '';
  for (const ch of text.length > max ? text.slice(0, max) : text) {
    const code = ch.codePointAt(0) ?? 0;
    out +=
      code >= 0x20 && code < 0x7f && ch !== '\\'
        ? ch
        : `\\u{${code.toString(16).padStart(2, '0')}}`;
  }
  return text.length > max ? `${out}...` : out;
}
