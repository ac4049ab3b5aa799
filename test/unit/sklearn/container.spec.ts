// Recognising pickles, zlib joblib files and the other joblib compressors by their magic bytes,
// and inflating zlib with a size cap.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { openContainer, sniffContainer } from '../../../src/sklearn/container';
import { isPickleOrJoblib } from '../../../src/sklearn/is-pickle-or-joblib';
import { PickleFormatError } from '../../../src/sklearn/pickle-error';
import { SKLEARN_DIR } from './sklearn-fixtures';

const fixture = (name: string): Uint8Array => readFileSync(join(SKLEARN_DIR, name));

describe('sniffContainer / isPickleOrJoblib', () => {
  it.each([
    ['pickle protocol 2', [0x80, 2, 0x4e, 0x2e], 'pickle'],
    ['pickle protocol 5', [0x80, 5], 'pickle'],
    ['zlib (joblib compress=3)', [0x78, 0x5e, 0, 0], 'zlib'],
    ['zlib default level', [0x78, 0x9c], 'zlib'],
    ['gzip', [0x1f, 0x8b, 8, 0], 'gzip'],
    ['bz2', [0x42, 0x5a, 0x68, 0x39], 'bz2'],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz'],
    ['lzma', [0x5d, 0x00, 0x00, 0x80], 'lzma'],
    ['lz4', [0x04, 0x22, 0x4d, 0x18], 'lz4'],
    ['joblib < 0.10', [0x5a, 0x46, 0x30, 0x78], 'joblib-zfile'],
  ])('%s', (_label, bytes, kind) => {
    expect(sniffContainer(Uint8Array.from(bytes))).toBe(kind);
    expect(isPickleOrJoblib(Uint8Array.from(bytes))).toBe(true);
  });

  it.each([
    ['a JSON artifact', '{"formatVersion":1}'],
    ['a JSON artifact with leading whitespace', '\n {"a":1}'],
    ['protocol 0 text pickle', '(lp0\n.'],
    ['pickle protocol 6', '\x80\x06'],
    ['an x not followed by a zlib check byte', 'xy'],
    ['empty', ''],
    ['one byte', '\x80'],
  ])('does not claim %s', (_label, text) => {
    expect(isPickleOrJoblib(Buffer.from(text, 'latin1'))).toBe(false);
  });

  it('recognises every fixture', () => {
    expect(sniffContainer(fixture('seed_cpu_mem.p2.pkl'))).toBe('pickle');
    expect(sniffContainer(fixture('seed_cpu_mem.joblib.pkl'))).toBe('pickle');
    expect(sniffContainer(fixture('d2_n10_ms64_boot_c005.joblib-z3.pkl'))).toBe('zlib');
  });
});

describe('openContainer', () => {
  it('inflates a zlib joblib file to the bytes of the uncompressed joblib file', () => {
    const { pickle, compressed } = openContainer(
      fixture('d2_n10_ms64_boot_c005.joblib-z3.pkl'),
      1 << 20,
    );
    expect(compressed).toBe(true);
    expect(Buffer.from(pickle).equals(fixture('d2_n10_ms64_boot_c005.joblib.pkl'))).toBe(true);
  });

  it('caps the inflated size (a zlib bomb stops at the cap)', () => {
    const bomb = deflateSync(Buffer.alloc(64 << 20, 0x4e), { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => openContainer(bomb, 1 << 20)).toThrow(
      'the zlib-compressed joblib file inflates to more than 1048576 bytes',
    );
  });

  it('reports a corrupt or truncated zlib stream', () => {
    const z = fixture('d2_n10_ms64_boot_c005.joblib-z3.pkl');
    expect(() => openContainer(z.subarray(0, z.length >> 1), 1 << 20)).toThrow(
      /zlib-compressed joblib file is corrupt or truncated/,
    );
  });

  it('refuses a zlib stream that holds something else than a pickle', () => {
    expect(() => openContainer(deflateSync(Buffer.from('{"a":1}')), 1 << 20)).toThrow(
      'the zlib stream does not hold a pickle of protocol 2 to 5',
    );
  });

  it('names unsupported compressors and how to re-save', () => {
    expect(() => openContainer(gzipSync(fixture('edge_one_sample.joblib.pkl')), 1 << 20)).toThrow(
      /joblib files compressed with gzip .* are not supported: re-save with joblib.dump\(model, path\)/,
    );
  });

  it('refuses empty and unknown content', () => {
    expect(() => openContainer(new Uint8Array(0), 1 << 20)).toThrow('the model file is empty');
    const err = (() => {
      try {
        openContainer(Buffer.from('hello'), 1 << 20);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(PickleFormatError);
    expect((err as PickleFormatError).message).toBe(
      'not a pickle or joblib file: it starts with 68 65 6c 6c, not PROTO 0x80 (protocols 2 to 5) or a zlib header (at byte 0)',
    );
  });
});
