import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { ModelNotFoundError, ModelUnavailableError } from '../common/errors';
import { PINO_ROOT } from '../logging/logging.constants';
import { MetricsService, type ReloadTrigger } from '../metrics/metrics.service';
import {
  latestModel,
  latestSlot,
  type LoadOutcome,
  type ModelEntry,
  type PreparedModel,
  type VersionFailure,
  type VersionSlot,
} from './model-entry';
import { ModelLoader } from './model-loader';
import { ModelLoadError } from './model-load.error';
import { hasBytes, type ModelFiles } from './model-source';
import { decodeServingModel, type ServingModel } from './serving-model';

/** Reason of a model that has not finished its first load. */
export const NOT_LOADED_YET = 'the model has not been loaded yet';

/**
 * Every model the service knows: for each name and version, the loaded model or the reason it
 * has none. Requests take a {@link ServingModel} once ({@link get}) and finish on it.
 *
 * A load runs in three steps: read the bytes ({@link ModelLoader}, the only I/O), decode and
 * verify them ({@link prepare}, pure), swap the model's entry in ({@link install}, one
 * assignment: atomic per model). {@link load} chains the three; loads and unloads of one name are
 * serialised (one requested meanwhile runs after it), different names load independently.
 */
@Injectable()
export class ModelRegistry {
  /** The model the domain API serves (`MODEL_NAME`). */
  readonly defaultName: string;
  private readonly models = new Map<string, ModelEntry>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly log: Logger;

  constructor(
    private readonly loader: ModelLoader,
    config: ConfigService<AppConfig, true>,
    private readonly metrics: MetricsService,
    @Inject(PINO_ROOT) root: Logger,
  ) {
    this.defaultName = config.get('model', { infer: true }).name;
    this.log = root.child({ context: ModelRegistry.name });
  }

  /**
   * The model to score with: `version` of `name`, or its highest version when omitted (`name`
   * defaults to {@link defaultName}).
   *
   * @throws ModelNotFoundError for an unknown name or version.
   * @throws ModelUnavailableError when that version is not loaded (with the reason).
   */
  get(name: string = this.defaultName, version?: number): ServingModel {
    const entry = this.models.get(name);
    if (entry === undefined) {
      if (name === this.defaultName) throw new ModelUnavailableError(NOT_LOADED_YET);
      throw new ModelNotFoundError(name);
    }
    const slot = version === undefined ? latestSlot(entry) : findSlot(entry, version);
    if (slot === undefined) {
      if (version !== undefined) throw new ModelNotFoundError(name, version);
      throw new ModelUnavailableError(entry.reason ?? NOT_LOADED_YET);
    }
    if (slot.model === null) throw new ModelUnavailableError(slot.reason);
    return slot.model;
  }

  /** Like {@link get}, but null instead of throwing. */
  peek(name: string = this.defaultName, version?: number): ServingModel | null {
    const entry = this.models.get(name);
    if (entry === undefined) return null;
    const slot = version === undefined ? latestSlot(entry) : findSlot(entry, version);
    return slot?.model ?? null;
  }

  /** Why `name` (default model when omitted) serves no requests without a version ('' if it does). */
  reasonUnavailable(name: string = this.defaultName): string {
    const entry = this.models.get(name);
    if (entry === undefined) {
      return name === this.defaultName ? NOT_LOADED_YET : new ModelNotFoundError(name).message;
    }
    const slot = latestSlot(entry);
    if (slot === undefined) return entry.reason ?? NOT_LOADED_YET;
    return slot.reason ?? '';
  }

  /** The entry of `name`, or undefined when the registry has never seen it. */
  entry(name: string = this.defaultName): ModelEntry | undefined {
    return this.models.get(name);
  }

  /** Every entry, sorted by name. */
  entries(): ModelEntry[] {
    return [...this.models.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  /** Loads every model the loader defines (start-up). Never throws. */
  async loadAll(trigger: ReloadTrigger): Promise<LoadOutcome[]> {
    const names = await this.loader.names();
    return Promise.all(names.map((name) => this.load(name, trigger)));
  }

  /**
   * Reads, verifies and installs every version of `name` (see {@link install} for what a
   * failure leaves serving). Never throws: an unknown name is a failed outcome.
   */
  load(name: string, trigger: ReloadTrigger): Promise<LoadOutcome> {
    return this.serialise(name, async () => {
      let files: ModelFiles;
      try {
        files = await this.loader.read(name);
      } catch (err) {
        const reason =
          err instanceof ModelNotFoundError || err instanceof ModelLoadError
            ? err.message
            : 'model could not be read (see server log)';
        return this.recordFailure(name, trigger, reason, err);
      }
      return this.install(this.prepare(files), trigger);
    });
  }

  /** {@link prepare} then {@link install} for bytes read elsewhere, serialised like {@link load}. */
  loadFiles(files: ModelFiles, trigger: ReloadTrigger): Promise<LoadOutcome> {
    return this.serialise(files.name, () =>
      Promise.resolve(this.install(this.prepare(files), trigger)),
    );
  }

  /**
   * Decodes and verifies every version of `files` (CPU only, no I/O; the registry is untouched).
   * Never throws: each failure becomes a slot with its reason.
   */
  prepare(files: ModelFiles, loadedAt = new Date()): PreparedModel {
    const versions: VersionSlot[] = [];
    const failures: VersionFailure[] = [];
    for (const file of [...files.versions].sort((a, b) => a.version - b.version)) {
      let failure: VersionFailure;
      if (!hasBytes(file)) failure = { version: file.version, reason: file.reason };
      else {
        try {
          const model = decodeServingModel(
            file.bytes,
            { name: files.name, version: file.version },
            loadedAt,
          );
          versions.push({ version: file.version, state: 'READY', model, reason: null });
          continue;
        } catch (err) {
          failure = {
            version: file.version,
            reason:
              err instanceof ModelLoadError
                ? err.message
                : 'model could not be loaded (see server log)',
            cause: err instanceof ModelLoadError && err.cause !== undefined ? err.cause : err,
          };
        }
      }
      failures.push(failure);
      versions.push({
        version: failure.version,
        state: 'UNAVAILABLE',
        model: null,
        reason: failure.reason,
      });
    }
    return {
      name: files.name,
      versions,
      failures,
      reason: versions.length === 0 ? 'no model versions found' : null,
    };
  }

  /**
   * Swaps `prepared` in with one assignment. When every version verified, the new entry replaces
   * the old one. When some did not: a model that is serving keeps its previous entry (the
   * outcome says why the load failed); a model that is not serving takes the new entry, so its
   * good versions serve and the bad ones report their reason.
   */
  install(prepared: PreparedModel, trigger: ReloadTrigger): LoadOutcome {
    const { name } = prepared;
    const at = new Date().toISOString();
    const current = this.models.get(name);
    const previous = latestModel(current);
    const reason = failureReason(prepared);
    if (reason !== null && previous !== null) {
      this.models.set(name, { ...current!, lastLoad: { at, trigger, ok: false, reason } });
      this.reportFailure(name, trigger, reason, prepared.failures, previous);
      return { ok: false, name, reason, serving: previous };
    }
    const entry: ModelEntry = {
      name,
      versions: prepared.versions,
      reason: prepared.reason,
      lastLoad: { at, trigger, ok: reason === null, reason },
    };
    this.models.set(name, entry);
    const serving = latestModel(entry);
    if (reason !== null || serving === null) {
      const why = reason ?? this.reasonUnavailable(name);
      this.reportFailure(name, trigger, why, prepared.failures, serving);
      return { ok: false, name, reason: why, serving };
    }
    this.publish(name);
    this.metrics.recordReload('success', trigger);
    this.log.info(
      {
        trigger,
        model: name,
        versions: entry.versions.map((v) => v.version),
        modelVersion: serving.modelVersion,
        previousVersion: previous?.modelVersion ?? null,
        nFeatures: serving.artifact.nFeatures,
      },
      'model loaded',
    );
    return { ok: true, name, model: serving, previous };
  }

  /**
   * Unloads every version of `name`: requests for it get 503 `unloaded` until it is loaded
   * again. Serialised with loads of the same name.
   *
   * @throws ModelNotFoundError when the registry does not know `name`.
   */
  unload(name: string): Promise<void> {
    return this.serialise(name, () => {
      const current = this.models.get(name);
      if (current === undefined) throw new ModelNotFoundError(name);
      this.models.set(name, {
        ...current,
        reason: 'unloaded',
        versions: current.versions.map((v) => ({
          version: v.version,
          state: 'UNAVAILABLE',
          model: null,
          reason: 'unloaded',
        })),
      });
      this.publish(name);
      this.log.info({ model: name }, 'model unloaded');
      return Promise.resolve();
    });
  }

  private serialise<T>(name: string, task: () => Promise<T>): Promise<T> {
    const next = (this.queues.get(name) ?? Promise.resolve()).then(task);
    const settled = next.catch(() => undefined);
    this.queues.set(name, settled);
    void settled.then(() => {
      if (this.queues.get(name) === settled) this.queues.delete(name);
    });
    return next;
  }

  private recordFailure(
    name: string,
    trigger: ReloadTrigger,
    reason: string,
    cause: unknown,
  ): LoadOutcome {
    const at = new Date().toISOString();
    const current = this.models.get(name);
    const serving = latestModel(current);
    if (current !== undefined) {
      this.models.set(name, { ...current, lastLoad: { at, trigger, ok: false, reason } });
    }
    this.reportFailure(name, trigger, reason, [], serving, cause);
    return { ok: false, name, reason, serving };
  }

  private reportFailure(
    name: string,
    trigger: ReloadTrigger,
    reason: string,
    failures: readonly VersionFailure[],
    serving: ServingModel | null,
    cause: unknown = failures.find((f) => f.cause !== undefined)?.cause,
  ): void {
    this.publish(name);
    this.metrics.recordReload('failure', trigger);
    this.log.error(
      {
        trigger,
        model: name,
        reason,
        failures: failures.map((f) => ({ version: f.version, reason: f.reason })),
        err: cause,
        servingVersion: serving?.modelVersion ?? null,
      },
      serving === null
        ? 'model load failed; no model is serving'
        : 'model reload failed; previous model keeps serving',
    );
  }

  /** Publishes the default model's state to the metrics. */
  private publish(name: string): void {
    if (name !== this.defaultName) return;
    const model = this.peek(name);
    this.metrics.setModel(
      model === null
        ? null
        : {
            version: model.modelVersion,
            sha256: model.artifact.sha256,
            sourceFormat: model.artifact.source.format,
          },
    );
  }
}

function findSlot(entry: ModelEntry, version: number): VersionSlot | undefined {
  return entry.versions.find((v) => v.version === version);
}

/** Why a prepared model is not a complete success, or null when it is. */
function failureReason(prepared: PreparedModel): string | null {
  if (prepared.reason !== null) return prepared.reason;
  const { failures, versions } = prepared;
  if (failures.length === 0) return null;
  if (versions.length === 1) return failures[0].reason;
  return failures.map((f) => `version ${f.version}: ${f.reason}`).join('; ');
}
