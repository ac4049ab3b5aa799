// The pickle VM on small hand-assembled streams: what each opcode builds, and that everything
// outside the data-building subset stops the read with the opcode and its byte offset.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PickleFormatError, PickleSecurityError } from '../../../src/sklearn/pickle-error';
import { unpickle, type PickleLimits } from '../../../src/sklearn/pickle-machine';
import {
  NdArray,
  PyDict,
  PyFloat,
  PyGlobal,
  PyList,
  PyTuple,
  type PyValue,
} from '../../../src/sklearn/py-values';
import { SKLEARN_DIR } from './sklearn-fixtures';

/** Assembles a stream from byte values and latin-1 strings. */
function pk(...parts: (number | string)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const ch of p) out.push(ch.charCodeAt(0));
  }
  return Uint8Array.from(out);
}
const u32 = (n: number): string =>
  String.fromCharCode(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
const su = (s: string): string => `\x8c${String.fromCharCode(s.length)}${s}`; // SHORT_BINUNICODE

function load(bytes: Uint8Array, limits?: Partial<PickleLimits>): PyValue {
  return unpickle(bytes, 0, {
    maxMemoEntries: 1000,
    maxStackSize: 1000,
    maxMarkDepth: 50,
    maxContainerLength: 1000,
    maxObjects: 10_000,
    ...limits,
  }).value;
}

function failure(bytes: Uint8Array, limits?: Partial<PickleLimits>): PickleFormatError {
  try {
    load(bytes, limits);
  } catch (err) {
    if (err instanceof PickleFormatError) return err;
    throw err;
  }
  throw new Error('expected the read to fail');
}

describe('unpickle: data-building opcodes', () => {
  it('reads scalars: ints of every width, big-endian BINFLOAT, bools and None', () => {
    const v = load(
      pk(
        0x80,
        4,
        '(',
        'K',
        200, // BININT1
        'M',
        0x34,
        0x12, // BININT2
        'J',
        u32(-5 >>> 0), // BININT, signed
        0x8a,
        2,
        0x00,
        0x80, // LONG1 -32768
        0x8a,
        0, // LONG1 0
        'G',
        0x3f,
        0xf8,
        0,
        0,
        0,
        0,
        0,
        0, // BINFLOAT 1.5, big-endian
        0x88,
        0x89,
        'N',
        't',
        '.',
      ),
    );
    expect(v).toBeInstanceOf(PyTuple);
    const items = (v as PyTuple).items;
    expect(items.slice(0, 5)).toEqual([200, 0x1234, -5, -32768, 0]);
    expect(items[5]).toEqual(new PyFloat(1.5));
    expect(items.slice(6)).toEqual([true, false, null]);
  });

  it('keeps 64-bit LONG1 values beyond 2^53 exact as bigint', () => {
    const v = load(pk(0x80, 2, 0x8a, 8, 1, 0, 0, 0, 0, 0, 0x20, 0, '.'));
    expect(v).toBe(2n ** 53n + 1n);
  });

  it('decodes UTF-8 strings and keeps bytes as views', () => {
    const v = load(pk(0x80, 4, su('h\xc3\xa9'), 'C', 2, 0xff, 0x00, 0x86, '.')) as PyTuple;
    expect(v.items[0]).toBe('hé');
    expect(Array.from(v.items[1] as Uint8Array)).toEqual([0xff, 0]);
  });

  it('builds lists, dicts and tuples with the memo shared by reference', () => {
    const v = load(
      pk(0x80, 4, '}', 0x94, '(', su('a'), ']', 0x94, 'K', 1, 'a', su('b'), 'h', 1, 'u', '.'),
    ) as PyDict;
    expect(v).toBeInstanceOf(PyDict);
    const a = v.entries.get('a') as PyList;
    expect(a).toBeInstanceOf(PyList);
    expect(a.items).toEqual([1]);
    expect(v.entries.get('b')).toBe(a);
  });

  it('honours POP and POP_MARK', () => {
    const v = load(pk(0x80, 2, 'K', 1, 'K', 2, '0', '(', 'K', 3, '1', '.'));
    expect(v).toBe(1);
  });

  it('resolves allowlisted globals to inert records under both numpy spellings', () => {
    for (const module of ['numpy.core.multiarray', 'numpy._core.multiarray']) {
      const v = load(pk(0x80, 4, su(module), su('_reconstruct'), 0x93, '.'));
      expect(v).toBeInstanceOf(PyGlobal);
      expect((v as PyGlobal).kind).toBe('reconstruct');
    }
    const g = load(pk(0x80, 2, 'c', 'numpy\ndtype\n', '.')) as PyGlobal;
    expect(g.qualifiedName).toBe('numpy.dtype');
  });

  it('reconstructs a protocol-2 array from _codecs.encode latin-1 text', () => {
    // _reconstruct(ndarray, (0,), b'b') then BUILD (1, (2,), dtype('i8'), False, raw)
    const raw = '\x01\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff';
    // BINUNICODE holds the UTF-8 encoding of the code points 0-255 that stand for the bytes.
    const encoded = Buffer.from(raw, 'utf8').toString('latin1');
    const v = load(
      pk(
        0x80,
        2,
        'c',
        'numpy.core.multiarray\n_reconstruct\n',
        'c',
        'numpy\nndarray\n',
        'K',
        0,
        0x85,
        'c',
        '_codecs\nencode\n',
        'X',
        u32(1),
        'b',
        'X',
        u32(6),
        'latin1',
        0x86,
        'R',
        0x87,
        'R',
        '(',
        'K',
        1,
        'K',
        2,
        0x85,
        'c',
        'numpy\ndtype\n',
        'X',
        u32(2),
        'i8',
        0x89,
        0x88,
        0x87,
        'R',
        '(',
        'K',
        3,
        'X',
        u32(1),
        '<',
        'N',
        'N',
        'N',
        'J',
        u32(-1 >>> 0),
        'J',
        u32(-1 >>> 0),
        'K',
        0,
        't',
        'b',
        0x89,
        'c',
        '_codecs\nencode\n',
        'X',
        u32(encoded.length),
        encoded,
        'X',
        u32(6),
        'latin1',
        0x86,
        'R',
        't',
        'b',
        '.',
      ),
    ) as NdArray;
    expect(v).toBeInstanceOf(NdArray);
    expect(v.shape).toEqual([2]);
    expect(v.dtype?.str).toBe('<i8');
    expect(Array.from(v.data ?? [])).toEqual(Array.from(Buffer.from(raw, 'latin1')));
  });
});

describe('unpickle: refusals name the opcode or global and its byte offset', () => {
  it.each([
    ['INST', pk(0x80, 2, '(', 'i', 'os\nsystem\n', '.'), 3, 'refused opcode INST (0x69)'],
    ['OBJ', pk(0x80, 2, '(', 'N', 'o', '.'), 4, 'refused opcode OBJ (0x6f)'],
    ['PERSID', pk(0x80, 2, 'P', '1\n', '.'), 2, 'refused opcode PERSID (0x50)'],
    ['BINPERSID', pk(0x80, 2, 'N', 'Q', '.'), 3, 'refused opcode BINPERSID (0x51)'],
    ['EXT1', pk(0x80, 2, 0x82, 1, '.'), 2, 'refused opcode EXT1 (0x82)'],
    ['EXT2', pk(0x80, 2, 0x83, 1, 0, '.'), 2, 'refused opcode EXT2 (0x83)'],
    ['EXT4', pk(0x80, 2, 0x84, 1, 0, 0, 0, '.'), 2, 'refused opcode EXT4 (0x84)'],
    ['NEXT_BUFFER', pk(0x80, 5, 0x97, '.'), 2, 'refused opcode NEXT_BUFFER (0x97)'],
    ['READONLY_BUFFER', pk(0x80, 5, 'N', 0x98, '.'), 3, 'refused opcode READONLY_BUFFER (0x98)'],
    ['NEWOBJ_EX', pk(0x80, 4, 0x92, '.'), 2, 'refused opcode NEWOBJ_EX (0x92)'],
    ['a protocol-0 text opcode', pk(0x80, 2, 'I', '1\n', '.'), 2, 'refused opcode INT (0x49)'],
    ['LONG4', pk(0x80, 2, 0x8b, 1, 0, 0, 0, 1, '.'), 2, 'refused opcode LONG4 (0x8b)'],
    ['GLOBAL os.system', pk(0x80, 2, 'c', 'os\nsystem\n', '.'), 2, 'refused global os.system'],
    [
      'STACK_GLOBAL builtins.eval',
      pk(0x80, 4, su('builtins'), su('eval'), 0x93, '.'),
      18,
      'refused global builtins.eval',
    ],
    [
      'REDUCE of an allowlisted class',
      pk(0x80, 2, 'c', 'numpy\nndarray\n', ')', 'R', '.'),
      18,
      'refused REDUCE of numpy.ndarray',
    ],
    ['REDUCE of a string', pk(0x80, 4, su('x'), ')', 'R', '.'), 6, 'REDUCE calls str'],
    ['BUILD on a list', pk(0x80, 4, ']', '}', 'b', '.'), 4, 'refused BUILD on list of 0'],
    [
      'NEWOBJ of numpy.dtype',
      pk(0x80, 2, 'c', 'numpy\ndtype\n', ')', 0x81, '.'),
      16,
      'refused NEWOBJ of global numpy.dtype',
    ],
  ])('%s', (_label, bytes, offset, message) => {
    const err = failure(bytes);
    expect(err).toBeInstanceOf(PickleSecurityError);
    expect(err.offset).toBe(offset);
    expect(err.message).toContain(message);
    expect(err.message).toContain(`(at byte ${offset})`);
  });

  it.each([
    ['an unknown opcode', pk(0x80, 2, 0xff, '.'), 2, 'unknown opcode 0xff'],
    ['no PROTO', pk('N', '.'), 0, 'expected PROTO (0x80)'],
    ['protocol 1', pk(0x80, 1, 'N', '.'), 0, 'unsupported pickle protocol 1'],
    ['a second PROTO', pk(0x80, 2, 0x80, 2, 'N', '.'), 2, 'PROTO after the start'],
    [
      'BINGET of an unset slot',
      pk(0x80, 2, 'h', 7, '.'),
      2,
      'reads memo slot 7, which was never set',
    ],
    ['a memo overwrite', pk(0x80, 2, 'N', 'q', 0, 'N', 'q', 0, '.'), 6, 'overwrites memo slot 0'],
    ['a stack underflow', pk(0x80, 2, 0x85, '.'), 2, 'needs a value but the stack is empty'],
    ['APPENDS without MARK', pk(0x80, 2, ']', 'e', '.'), 3, 'without a matching MARK'],
    ['APPEND to a dict', pk(0x80, 2, '}', 'N', 'a', '.'), 4, 'APPEND (0x61) to dict'],
    ['a tuple dict key', pk(0x80, 2, '}', ')', 'N', 's', '.'), 5, 'dict key of type tuple'],
    ['STOP with two values', pk(0x80, 2, 'N', 'N', '.'), 4, 'STOP with 2 values'],
    ['STOP inside a MARK', pk(0x80, 2, 'N', '(', '.'), 4, 'STOP inside an open MARK'],
    ['a truncated BININT', pk(0x80, 2, 'J', 1, 2), 2, 'needs 4 bytes but only 2 remain'],
    ['a missing STOP', pk(0x80, 2, 'N'), 3, 'ends before STOP'],
    ['a huge BINBYTES', pk(0x80, 3, 'B', u32(0xffffffff), '.'), 2, 'needs 4294967295 bytes'],
    [
      'a huge FRAME',
      pk(0x80, 4, 0x95, 0, 0, 0, 0, 0, 0, 0, 0x40, 'N', '.'),
      2,
      'FRAME declares 4611686018427388000 bytes but only 2 remain',
    ],
    ['invalid UTF-8', pk(0x80, 4, 0x8c, 2, 0xc3, 0x28, '.'), 2, 'holds invalid UTF-8'],
    ['a GLOBAL without newline', pk(0x80, 2, 'c', 'os', '.'), 2, 'operand has no newline'],
  ])('%s', (_label, bytes, offset, message) => {
    const err = failure(bytes);
    expect(err).toBeInstanceOf(PickleFormatError);
    expect(err).not.toBeInstanceOf(PickleSecurityError);
    expect(err.offset).toBe(offset);
    expect(err.message).toContain(message);
  });

  it('bounds nesting, stack, memo, containers and objects', () => {
    expect(failure(pk(0x80, 2, ...'('.repeat(60).split(''), '.')).message).toContain(
      'MARKs nested deeper than 50 levels',
    );
    expect(failure(pk(0x80, 2, ...'N'.repeat(1001).split(''), '.')).message).toContain(
      'more than 1000 values on the pickle stack',
    );
    const memo = pk(0x80, 4, 'N', ...Array.from({ length: 1001 }, () => 0x94), '.');
    expect(failure(memo).message).toContain('more than 1000 memo entries');
    const puts = pk(0x80, 4, 'N', ...Array.from({ length: 6 }, (_, i) => `r${u32(i)}`), '.');
    expect(failure(puts, { maxMemoEntries: 5 }).message).toContain('more than 5 memo entries');
    const long = pk(0x80, 2, ']', '(', ...'N'.repeat(20).split(''), 'e', '.');
    expect(failure(long, { maxContainerLength: 10 }).message).toContain('beyond 10 items');
    const many = pk(0x80, 2, ']', ...Array.from({ length: 30 }, () => ']a'), '.');
    expect(failure(many, { maxObjects: 20 }).message).toContain('more than 20 objects');
  });

  it('fails cleanly on every truncation of a real model', () => {
    const bytes = readFileSync(join(SKLEARN_DIR, 'edge_one_sample.p4.pkl'));
    for (let n = 0; n < bytes.length; n++) {
      expect(() => load(bytes.subarray(0, n), { maxMemoEntries: 10_000 })).toThrow(
        PickleFormatError,
      );
    }
  });
});

describe('numpy.random generators (a RandomState instance as random_state)', () => {
  const ctor = `${su('numpy.random._pickle')}${su('__randomstate_ctor')}\x93`;
  const bitCtor = `${su('numpy.random._pickle')}${su('__bit_generator_ctor')}\x93`;
  const mt = `${su('numpy.random._mt19937')}${su('MT19937')}\x93`;

  it("reads numpy 1.x's and numpy 2's spellings as inert values, state kept unread", () => {
    // numpy 1.x: __randomstate_ctor('MT19937', __bit_generator_ctor) + BUILD({...}).
    const v1 = load(
      pk(
        0x80,
        4,
        ctor,
        su('MT19937'),
        bitCtor,
        0x86,
        0x52,
        0x7d,
        su('pos'),
        0x4b,
        3,
        0x73,
        0x62,
        0x2e,
      ),
    );
    expect(v1).toMatchObject({ kind: 'RandomState' });
    // numpy 2: __randomstate_ctor(__bit_generator_ctor(MT19937) + BUILD((state, None))).
    const v2 = load(
      pk(0x80, 4, ctor, bitCtor, mt, 0x85, 0x52, 0x7d, 0x4e, 0x86, 0x62, 0x85, 0x52, 0x2e),
    );
    expect(v2).toMatchObject({ kind: 'RandomState' });
  });

  it('refuses another bit generator, odd arguments, REDUCE of MT19937 and a second BUILD', () => {
    expect(failure(pk(0x80, 4, ctor, su('PCG64'), 0x85, 0x52, 0x2e)).message).toMatch(
      /^numpy\.random\.RandomState is only read with an MT19937 bit generator, got \(str\) \(at byte \d+\)$/,
    );
    expect(failure(pk(0x80, 4, bitCtor, su('PCG64'), 0x85, 0x52, 0x2e)).message).toMatch(
      /bit generators other than MT19937 are not read/,
    );
    const reduced = failure(pk(0x80, 4, mt, 0x29, 0x52, 0x2e));
    expect(reduced).toBeInstanceOf(PickleSecurityError);
    expect(reduced.message).toMatch(/refused REDUCE of numpy\.random\._mt19937\.MT19937/);
    expect(
      failure(pk(0x80, 4, ctor, su('MT19937'), 0x85, 0x52, 0x7d, 0x62, 0x7d, 0x62, 0x2e)).message,
    ).toMatch(/numpy\.random RandomState is built twice/);
  });
});
