import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { open } from 'node:fs/promises';
import type { AppConfig } from '../config';
import { ModelNotFoundError } from '../common/errors';
import { ModelLoadError } from './model-load.error';
import { MAX_MODEL_FILE_BYTES } from './model.constants';
import type { ModelFiles } from './model-source';

/**
 * The only code in the service that touches the disk: it finds the configured models and reads
 * their bytes, nothing more (decoding and verifying is {@link decodeServingModel}'s, which is
 * pure). The model of `MODEL_PATH` is `MODEL_NAME`, version 1.
 *
 * This class is also the seam for other byte sources: a Nest provider for the token
 * `ModelLoader` with the same two methods (for example, workers of a cluster taking the bytes
 * their primary read and verified) replaces the disk without touching the registry.
 */
@Injectable()
export class ModelLoader {
  private readonly path: string;
  private readonly name: string;

  constructor(config: ConfigService<AppConfig, true>) {
    const model = config.get('model', { infer: true });
    this.path = model.path;
    this.name = model.name;
  }

  /** Names of the models this source defines, sorted. */
  names(): Promise<string[]> {
    return Promise.resolve([this.name]);
  }

  /**
   * Reads every version of model `name`. A version whose file cannot be read comes back with the
   * reason instead of bytes (the registry reports it).
   *
   * @throws ModelNotFoundError when the source does not define `name`.
   */
  async read(name: string): Promise<ModelFiles> {
    if (name !== this.name) throw new ModelNotFoundError(name);
    try {
      return { name, versions: [{ version: 1, bytes: await readModelFile(this.path) }] };
    } catch (err) {
      if (!(err instanceof ModelLoadError)) throw err;
      return { name, versions: [{ version: 1, reason: err.reason }] };
    }
  }
}

/**
 * Reads the model file at `path` (a regular file of at most {@link MAX_MODEL_FILE_BYTES}).
 *
 * @throws ModelLoadError with a reason free of the path (callers know MODEL_PATH; the server log
 *   keeps the cause).
 */
export async function readModelFile(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new ModelLoadError(fsReason(err), { cause: err });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new ModelLoadError('MODEL_PATH is a directory, not a file');
    if (!stat.isFile()) throw new ModelLoadError('MODEL_PATH is not a regular file');
    if (stat.size > MAX_MODEL_FILE_BYTES) {
      throw new ModelLoadError(
        `model file is larger than ${MAX_MODEL_FILE_BYTES} bytes (${stat.size})`,
      );
    }
    const buffer = await handle.readFile();
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (err) {
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(fsReason(err), { cause: err });
  } finally {
    await handle.close();
  }
}

/** A reason without the path (it is in the server log, and callers know MODEL_PATH). */
function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'model file not found (MODEL_PATH)';
  if (code === 'EACCES' || code === 'EPERM')
    return 'model file is not readable (permission denied)';
  if (code === 'EISDIR') return 'MODEL_PATH is a directory, not a file';
  return 'model file could not be read';
}
