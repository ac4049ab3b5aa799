import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Dirent } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '../config';
import { MODEL_NAME_PATTERN } from '../config/env.validation';
import { ModelNotFoundError } from '../errors';
import { ModelLoadError } from './model-load.error';
import { MAX_MODEL_FILE_BYTES } from './model.constants';
import type { ModelFiles, ModelVersionFile } from './model-source';

/** A version folder name: a positive integer without leading zeros. */
const VERSION_FOLDER = /^[1-9][0-9]{0,8}$/;

/**
 * The only code in the service that touches the disk: it finds the configured models and reads
 * their bytes, nothing more (decoding and verifying is {@link decodeServingModel}'s, which is
 * pure). Two sources:
 *
 * - `MODEL_PATH` alone: one model, `MODEL_NAME`, version 1.
 * - `MODEL_REPOSITORY=<dir>` (Triton's layout): every folder `<dir>/<name>` whose name is a valid
 *   model name is a model; each of its positive-integer folders `<dir>/<name>/<version>` is a
 *   version holding exactly one model file (a native artifact or a scikit-learn pickle/joblib
 *   file: told apart by content). Hidden files (`.name`) are ignored, and so are other files
 *   beside the version folders (such as Triton's `config.pbtxt`).
 *
 * This class is also the seam for other byte sources: a Nest provider for the token
 * `ModelLoader` with the same two methods (for example, workers of a cluster taking the bytes
 * their primary read and verified) replaces the disk without touching the registry.
 */
@Injectable()
export class ModelLoader {
  private readonly path: string;
  private readonly name: string;
  private readonly repository: string | null;

  constructor(config: ConfigService<AppConfig, true>) {
    const model = config.get('model', { infer: true });
    this.path = model.path;
    this.name = model.name;
    this.repository = model.repository;
  }

  /**
   * Names of the models this source defines, sorted.
   *
   * @throws ModelLoadError when the repository cannot be listed.
   */
  async names(): Promise<string[]> {
    if (this.repository === null) return [this.name];
    const entries = await listDir(this.repository, 'model repository (MODEL_REPOSITORY)');
    return entries
      .filter((e) => e.isDirectory() && MODEL_NAME_PATTERN.test(e.name))
      .map((e) => e.name)
      .sort();
  }

  /**
   * Reads every version of model `name`, ascending. A version whose file cannot be read comes
   * back with the reason instead of bytes (the registry reports it).
   *
   * @throws ModelNotFoundError when the source does not define `name`.
   */
  async read(name: string): Promise<ModelFiles> {
    if (this.repository === null) {
      if (name !== this.name) throw new ModelNotFoundError(name);
      return { name, versions: [await readVersion(1, () => readModelFile(this.path))] };
    }
    if (!MODEL_NAME_PATTERN.test(name)) throw new ModelNotFoundError(name);
    const folder = join(this.repository, name);
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new ModelNotFoundError(name);
      throw new ModelLoadError(`model folder "${name}" could not be read`, { cause: err });
    }
    const versions = entries
      .filter((e) => e.isDirectory() && VERSION_FOLDER.test(e.name))
      .map((e) => Number(e.name))
      .sort((a, b) => a - b);
    return {
      name,
      versions: await Promise.all(
        versions.map((v) => readVersion(v, () => readVersionFolder(join(folder, String(v))))),
      ),
    };
  }
}

async function readVersion(
  version: number,
  read: () => Promise<Uint8Array>,
): Promise<ModelVersionFile> {
  try {
    return { version, bytes: await read() };
  } catch (err) {
    if (!(err instanceof ModelLoadError)) throw err;
    return { version, reason: err.reason };
  }
}

/** The one model file of a version folder. */
async function readVersionFolder(folder: string): Promise<Uint8Array> {
  const files = (await listDir(folder, 'version folder')).filter(
    (e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()),
  );
  if (files.length !== 1) {
    throw new ModelLoadError(
      files.length === 0
        ? 'version folder holds no model file'
        : `version folder holds ${files.length} files; expected one model file`,
    );
  }
  return readModelFile(join(folder, files[0].name), 'model file');
}

async function listDir(path: string, what: string): Promise<Dirent[]> {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `${what} not found`
        : code === 'ENOTDIR'
          ? `${what} is not a directory`
          : code === 'EACCES' || code === 'EPERM'
            ? `${what} is not readable (permission denied)`
            : `${what} could not be read`;
    throw new ModelLoadError(reason, { cause: err });
  }
}

/**
 * Reads the model file at `path` (a regular file of at most {@link MAX_MODEL_FILE_BYTES}).
 *
 * @param what how reasons name the file: `MODEL_PATH` (the default), or `model file`
 * @throws ModelLoadError with a reason free of the path (callers know MODEL_PATH or the
 *   repository layout; the server log keeps the cause).
 */
export async function readModelFile(path: string, what = 'MODEL_PATH'): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new ModelLoadError(fsReason(err, what), { cause: err });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new ModelLoadError(`${what} is a directory, not a file`);
    if (!stat.isFile()) throw new ModelLoadError(`${what} is not a regular file`);
    if (stat.size > MAX_MODEL_FILE_BYTES) {
      throw new ModelLoadError(
        `model file is larger than ${MAX_MODEL_FILE_BYTES} bytes (${stat.size})`,
      );
    }
    const buffer = await handle.readFile();
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (err) {
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(fsReason(err, what), { cause: err });
  } finally {
    await handle.close();
  }
}

/** A reason without the path (it is in the server log). */
function fsReason(err: unknown, what: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  const file = what === 'MODEL_PATH' ? 'model file' : what;
  if (code === 'ENOENT')
    return what === 'MODEL_PATH' ? 'model file not found (MODEL_PATH)' : `${file} not found`;
  if (code === 'EACCES' || code === 'EPERM') return `${file} is not readable (permission denied)`;
  if (code === 'EISDIR') return `${what} is a directory, not a file`;
  return `${file} could not be read`;
}
