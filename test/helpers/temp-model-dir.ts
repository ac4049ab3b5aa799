import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL } from './test-app';

/** A temporary directory for model files, removed by `remove()`. */
export class TempModelDir {
  readonly path = mkdtempSync(join(tmpdir(), 'ml-anomaly-api-e2e-'));

  /** Path of `name` inside the directory. */
  file(name: string): string {
    return join(this.path, name);
  }

  /** Copies the committed default model to `name`. */
  copyDefault(name = 'model.json'): string {
    copyFileSync(DEFAULT_MODEL, this.file(name));
    return this.file(name);
  }

  /** Writes `bytes` to `name`. */
  write(name: string, bytes: Uint8Array | string): string {
    writeFileSync(this.file(name), bytes);
    return this.file(name);
  }

  /** The default model with one byte of its content changed (a checksum mismatch). */
  writeCorrupt(name = 'model.json'): string {
    const bytes = Buffer.from(readFileSync(DEFAULT_MODEL));
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
    return this.write(name, bytes);
  }

  /** The first half of the default model. */
  writeTruncated(name = 'model.json'): string {
    const bytes = readFileSync(DEFAULT_MODEL);
    return this.write(name, bytes.subarray(0, Math.floor(bytes.length / 2)));
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
