import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from './cli-error';
import { describeError } from './describe-error';

/**
 * A file written under a temporary name in the target's directory and renamed over the target
 * only on {@link commit}, so readers see the old file or the complete new one, never a part.
 * {@link abort} (or a crash) leaves the target untouched.
 */
export class AtomicFile {
  private readonly tempPath: string;
  private fd: number | null;

  constructor(readonly path: string) {
    const dir = dirname(path);
    this.tempPath = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
    try {
      mkdirSync(dir, { recursive: true });
      this.fd = openSync(this.tempPath, 'wx', 0o644);
    } catch (e) {
      throw new CliError(`cannot write ${path}: ${describeError(e)}`);
    }
  }

  /** Appends bytes or UTF-8 text. */
  write(data: string | Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.path} is already closed`);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      for (let off = 0; off < bytes.length;) off += writeSync(this.fd, bytes, off);
    } catch (e) {
      this.abort();
      throw new CliError(`cannot write ${this.path}: ${describeError(e)}`);
    }
  }

  /** Flushes to disk and renames the temporary file over the target. */
  commit(): void {
    if (this.fd === null) throw new Error(`${this.path} is already closed`);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.tempPath, this.path);
    } catch (e) {
      this.abort();
      throw new CliError(`cannot write ${this.path}: ${describeError(e)}`);
    }
  }

  /** Deletes the temporary file; the target is left as it was. Safe to call twice. */
  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Already unusable; removing the file below is what matters.
      }
      this.fd = null;
    }
    rmSync(this.tempPath, { force: true });
  }
}

/** Writes `bytes` to `path` atomically (temporary file + fsync + rename). */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const file = new AtomicFile(path);
  file.write(bytes);
  file.commit();
}
