import { inflateSync } from 'node:zlib';
import { PickleFormatError } from './pickle-error';

/**
 * What a model file's first bytes say it is. joblib picks its compressor from the file name
 * (`joblib.dump(model, 'm.pkl.gz')`) or `compress=`; only zlib (`compress=N`, the default
 * compressor) is read here.
 */
export type ContainerKind =
  'pickle' | 'zlib' | 'gzip' | 'bz2' | 'xz' | 'lzma' | 'lz4' | 'joblib-zfile';

const UNSUPPORTED: Readonly<Record<string, string>> = {
  gzip: 'gzip (magic 1f 8b, joblib compress=("gzip", n) or a .gz name)',
  bz2: 'bz2 (magic "BZh", joblib compress=("bz2", n) or a .bz2 name)',
  xz: 'xz (magic fd 37 7a 58 5a 00, joblib compress=("xz", n) or a .xz name)',
  lzma: 'lzma (magic 5d 00 00, joblib compress=("lzma", n) or a .lzma name)',
  lz4: 'lz4 (magic 04 22 4d 18, joblib compress=("lz4", n) or a .lz4 name)',
  'joblib-zfile': 'the joblib < 0.10 "ZF" format (arrays in side files)',
};

/** Identifies a pickle (PROTO 2 to 5), a zlib stream, or another joblib compressor by magic bytes. */
export function sniffContainer(bytes: Uint8Array): ContainerKind | null {
  const b = bytes;
  if (b.length >= 2 && b[0] === 0x80 && b[1] >= 2 && b[1] <= 5) return 'pickle';
  // RFC 1950 header with deflate and a 32 KiB window (what Python's zlib writes): 0x78, then a
  // byte making the 16-bit header a multiple of 31 (01, 5e, 9c or da).
  if (b.length >= 2 && b[0] === 0x78 && ((b[0] << 8) | b[1]) % 31 === 0) {
    return 'zlib';
  }
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length >= 3 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68) return 'bz2';
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(b, [0x5d, 0x00, 0x00])) return 'lzma';
  if (startsWith(b, [0x04, 0x22, 0x4d, 0x18])) return 'lz4';
  if (b.length >= 2 && b[0] === 0x5a && b[1] === 0x46) return 'joblib-zfile';
  return null;
}

/**
 * The pickle stream inside a model file: the bytes themselves, or the inflated zlib stream of a
 * `joblib.dump(..., compress=N)` file (inflated size capped at `maxInflatedBytes`).
 *
 * @throws PickleFormatError for unknown content, unsupported compressors, corrupt or oversized
 *   zlib streams.
 */
export function openContainer(
  bytes: Uint8Array,
  maxInflatedBytes: number,
): { readonly pickle: Uint8Array; readonly compressed: boolean } {
  if (bytes.length === 0) throw new PickleFormatError('the model file is empty');
  const kind = sniffContainer(bytes);
  if (kind === 'pickle') return { pickle: bytes, compressed: false };
  if (kind === 'zlib') {
    let inflated: Buffer;
    try {
      inflated = inflateSync(bytes, { maxOutputLength: maxInflatedBytes });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') {
        throw new PickleFormatError(
          `the zlib-compressed joblib file inflates to more than ${maxInflatedBytes} bytes`,
        );
      }
      throw new PickleFormatError(
        `the zlib-compressed joblib file is corrupt or truncated (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    const pickle = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
    if (sniffContainer(pickle) !== 'pickle') {
      throw new PickleFormatError('the zlib stream does not hold a pickle of protocol 2 to 5');
    }
    return { pickle, compressed: true };
  }
  if (kind !== null) {
    throw new PickleFormatError(
      `joblib files compressed with ${UNSUPPORTED[kind]} are not supported: re-save with joblib.dump(model, path) or joblib.dump(model, path, compress=3) (zlib)`,
      0,
    );
  }
  const head = Array.from(bytes.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  throw new PickleFormatError(
    `not a pickle or joblib file: it starts with ${head}, not PROTO 0x80 (protocols 2 to 5) or a zlib header`,
    0,
  );
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((m, i) => bytes[i] === m);
}
