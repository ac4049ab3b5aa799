import { inflateSync } from 'node:zlib';

/** Decoded 8-bit RGB(A) pixels of a PNG file. */
export interface PngPixels {
  readonly width: number;
  readonly height: number;
  /** Bytes per pixel: 3 (RGB) or 4 (RGBA). */
  readonly channels: number;
  /** Row-major pixels, `channels` bytes each. */
  readonly data: Uint8Array;
}

/**
 * Decodes a non-interlaced 8-bit RGB or RGBA PNG (what Chromium's --screenshot writes): chunks,
 * zlib, and the five scanline filters of the PNG specification (section 9).
 */
export function decodePng(file: Uint8Array): PngPixels {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => file[i] === b)) throw new Error('not a PNG file');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  while (at < file.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    const body = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const depth = body[8];
      const colour = body[9];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || body[12] !== 0) {
        throw new Error(
          `unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${body[12]}`,
        );
      }
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = data.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? data.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let v = line[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      out[i] = v & 0xff;
    }
  }
  return { width, height, channels, data };
}

/** Standard deviation of the pixels' luma and their number of distinct RGB colours. */
export function pixelSpread(png: PngPixels): { lumaStd: number; colours: number } {
  const n = png.width * png.height;
  let sum = 0;
  let squares = 0;
  const colours = new Set<number>();
  for (let p = 0; p < n; p++) {
    const i = p * png.channels;
    const r = png.data[i];
    const g = png.data[i + 1];
    const b = png.data[i + 2];
    const luma = 0.299 * r + 0.587 * g + 0.114 * b;
    sum += luma;
    squares += luma * luma;
    colours.add((r << 16) | (g << 8) | b);
  }
  const mean = sum / n;
  return { lumaStd: Math.sqrt(Math.max(0, squares / n - mean * mean)), colours: colours.size };
}
