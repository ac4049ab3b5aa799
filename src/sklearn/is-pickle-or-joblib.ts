import { sniffContainer } from './container';

/**
 * Whether `bytes` look like a Python pickle (PROTO 0x80 with protocol 2 to 5) or a joblib file
 * (a zlib stream, or another joblib compressor's magic: gzip, bz2, xz, lzma, lz4, legacy "ZF").
 * Magic sniffing only: it reads at most six bytes and says nothing about whether the file loads
 * (unsupported compressors are routed to {@link importSklearnModel} so it can say so).
 */
export function isPickleOrJoblib(bytes: Uint8Array): boolean {
  return sniffContainer(bytes) !== null;
}
