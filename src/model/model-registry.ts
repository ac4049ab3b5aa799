import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Logger } from 'pino';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { AppConfig } from '../config';
import { ModelNotFoundError, ModelUnavailableError } from '../errors';
import { prepareForest } from '../engine';
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
import { filesFromHandoff, type RegistryChange } from './model-handoff';
import { ModelLoader } from './model-loader';
import type { ModelPoolPort } from './model-pool';
import { MODEL_POOL } from './model.constants';
import { ModelLoadError } from './model-load.error';
import { hasBytes, type ModelFiles } from './model-source';
import { decodeServingModel, type ServingModel } from './serving-model';

/** Reason of a model that has not finished its first load. */
export const NOT_LOADED_YET = 'the model has not been loaded yet';

/** Reason of a model unloaded on request. */
export const UNLOADED = 'unloaded';

/**
 * Every model the service knows: for each name and version, the loaded model or the reason it
 * has none. Requests take a {@link ServingModel} once ({@link get}) and finish on it.
 *
 * A load runs in three steps: read the bytes ({@link ModelLoader}, the only I/O), decode and
 * verify them ({@link prepare}, pure), swap the model's entry in ({@link install}, one
 * assignment: atomic per model). {@link load} chains the three; loads and unloads of one name are
 * serialised (one requested meanwhile runs after it), different names load independently.
 *
 * In a worker of a pool (WORKERS > 1) the primary owns every load: {@link load} and
 * {@link unload} ask it, and it runs {@link prepare} on every worker, then {@link install} (or
 * {@link applyUnload}) on every worker, so a change reaches all workers or none (src/cluster).
 */
@Injectable()
export class ModelRegistry {
  /** The model the domain API serves (`MODEL_NAME`). */
  readonly defaultName: string;
  private readonly models = new Map<string, ModelEntry>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly log: Logger;
  /** Why the model source could not be listed at the last {@link loadAll}, else null. */
  private sourceReason: string | null = null;
  /** True once a {@link loadAll} ran: a default model missing then is not in the source. */
  private loadedAll = false;
  /** Installed models whose decision tables are still to be built, in order. */
  private readonly unprepared: ServingModel[] = [];
  /** Models whose tables are queued, and those whose tables are built. */
  private readonly queued = new Set<ServingModel>();
  private readonly prepared = new WeakSet<ServingModel>();
  private preparing: Promise<void> | null = null;

  constructor(
    private readonly loader: ModelLoader,
    config: ConfigService<AppConfig, true>,
    private readonly metrics: MetricsService,
    @Inject(PINO_ROOT) root: Logger,
    @Optional() @Inject(MODEL_POOL) private readonly pool: ModelPoolPort | null = null,
  ) {
    this.defaultName = config.get('model', { infer: true }).name;
    this.log = root.child({ context: ModelRegistry.name });
  }

  /**
   * Start-up: loads every configured model, or in a pool worker replays the primary's changes
   * (never reading the disk). Never throws.
   */
  async start(): Promise<void> {
    if (this.pool === null) await this.loadAll('startup');
    else this.replay(this.pool.changes);
  }

  /**
   * Pool worker: applies `changes` in order (the primary's record of every install and unload
   * since each model's last complete load), so a worker that starts late ends in the same state
   * as the others. A change whose bytes fail their sha256 installs nothing.
   */
  replay(changes: readonly RegistryChange[]): void {
    for (const change of changes) {
      if (change.kind === 'unload') {
        this.applyUnload(change.name);
        continue;
      }
      try {
        const files = filesFromHandoff(change.handoff);
        this.install(
          this.prepare(files, new Date(change.handoff.loadedAt)),
          change.trigger,
          change.at,
        );
      } catch (err) {
        this.log.error({ err, model: change.handoff.name }, 'could not replay a model change');
      }
    }
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
      if (name === this.defaultName) {
        throw new ModelUnavailableError(this.reasonUnavailable(name), { name, version: null });
      }
      throw new ModelNotFoundError(name, version ?? null);
    }
    const slot = version === undefined ? latestSlot(entry) : findSlot(entry, version);
    if (slot === undefined) {
      if (version !== undefined) throw new ModelNotFoundError(name, version);
      throw new ModelUnavailableError(entry.reason ?? NOT_LOADED_YET, { name, version: null });
    }
    if (slot.model === null) {
      throw new ModelUnavailableError(slot.reason, { name, version: slot.version });
    }
    return slot.model;
  }

  /**
   * True when `version` of `name` (its highest version when omitted) is loaded.
   *
   * @throws ModelNotFoundError for an unknown name or version.
   */
  isReady(name: string, version?: number): boolean {
    const entry = this.models.get(name);
    if (entry === undefined) throw new ModelNotFoundError(name, version ?? null);
    if (version === undefined) return latestModel(entry) !== null;
    const slot = findSlot(entry, version);
    if (slot === undefined) throw new ModelNotFoundError(name, version);
    return slot.state === 'READY';
  }

  /**
   * True when every model the server should serve is loaded, every version of it: at least one
   * model, none failed. Models unloaded on request do not count (as in Triton's explicit mode).
   */
  allReady(): boolean {
    if (this.sourceReason !== null) return false;
    let any = false;
    for (const entry of this.models.values()) {
      if (entry.reason === UNLOADED) continue;
      if (entry.versions.length === 0 || entry.versions.some((v) => v.state !== 'READY')) {
        return false;
      }
      any = true;
    }
    return any;
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
      if (this.sourceReason !== null) return this.sourceReason;
      if (name !== this.defaultName || this.loadedAll) return new ModelNotFoundError(name).message;
      return NOT_LOADED_YET;
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

  /**
   * Loads every model the loader defines (start-up, or `SIGHUP` with a repository). Never
   * throws: when the source itself cannot be listed, every model reports that reason.
   */
  async loadAll(trigger: ReloadTrigger): Promise<LoadOutcome[]> {
    let names: string[];
    try {
      names = await this.loader.names();
      this.sourceReason = null;
    } catch (err) {
      this.sourceReason =
        err instanceof ModelLoadError ? err.message : 'the model repository could not be read';
      this.metrics.recordReload('failure', trigger, this.defaultName);
      this.log.error({ trigger, reason: this.sourceReason, err }, 'model repository unreadable');
      return [];
    } finally {
      this.loadedAll = true;
    }
    return Promise.all(names.map((name) => this.load(name, trigger)));
  }

  /**
   * Reads, verifies and installs every version of `name` (see {@link install} for what a
   * failure leaves serving). Never throws: an unknown name is a failed outcome.
   */
  load(name: string, trigger: ReloadTrigger): Promise<LoadOutcome> {
    if (this.pool !== null) return this.loadThroughPool(this.pool, name, trigger);
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

  private async loadThroughPool(
    pool: ModelPoolPort,
    name: string,
    trigger: ReloadTrigger,
  ): Promise<LoadOutcome> {
    const previous = this.peek(name);
    const result = await pool.load(name, trigger);
    // The primary answers after every worker, this one included, installed the outcome.
    const serving = this.peek(name);
    if (result.ok && serving !== null) return { ok: true, name, model: serving, previous };
    return {
      ok: false,
      name,
      reason: result.ok ? this.reasonUnavailable(name) : result.reason,
      serving,
    };
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
  install(
    prepared: PreparedModel,
    trigger: ReloadTrigger,
    at: string = new Date().toISOString(),
  ): LoadOutcome {
    const { name } = prepared;
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
      this.prepareLater(entry);
      const why = reason ?? this.reasonUnavailable(name);
      this.reportFailure(name, trigger, why, prepared.failures, serving);
      return { ok: false, name, reason: why, serving };
    }
    this.publish(name);
    this.prepareLater(entry);
    this.metrics.recordReload('success', trigger, name);
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
    const pool = this.pool;
    if (pool !== null) {
      return pool.unload(name).then((result) => {
        if (result.ok) return;
        if (result.notFound === true) throw new ModelNotFoundError(name);
        throw new ModelLoadError(result.reason);
      });
    }
    return this.serialise(name, () => {
      this.applyUnload(name);
      return Promise.resolve();
    });
  }

  /**
   * Unloads `name` here and now (the body of {@link unload}; a pool's primary calls it on every
   * worker). @throws ModelNotFoundError when the registry does not know `name`.
   */
  applyUnload(name: string): void {
    {
      const current = this.models.get(name);
      if (current === undefined) throw new ModelNotFoundError(name);
      this.models.set(name, {
        ...current,
        reason: UNLOADED,
        versions: current.versions.map((v) => ({
          version: v.version,
          state: 'UNAVAILABLE',
          model: null,
          reason: UNLOADED,
        })),
      });
      this.publish(name);
      this.log.info({ model: name }, 'model unloaded');
    }
  }

  /**
   * Resolves once the queued decision tables are built. Tables (about 2 MB and 0.1 s per 100-tree
   * 2-D forest) speed up batch scoring and change no score. They are built in the background,
   * one model per event-loop turn: for the default model right after it is installed, and for
   * any other model when its first multi-row batch arrives ({@link ensurePrepared}), so a large
   * repository loads fast and spends the memory only on models that score batches.
   */
  whenPrepared(): Promise<void> {
    return this.preparing ?? Promise.resolve();
  }

  /** Queues `model`'s decision tables unless they are built or queued already (cheap). */
  ensurePrepared(model: ServingModel): void {
    if (this.prepared.has(model) || this.queued.has(model)) return;
    this.queued.add(model);
    this.unprepared.push(model);
    this.preparing ??= this.prepareQueued();
  }

  private prepareLater(entry: ModelEntry): void {
    if (entry.name !== this.defaultName) return;
    for (const slot of entry.versions) if (slot.model !== null) this.ensurePrepared(slot.model);
  }

  private async prepareQueued(): Promise<void> {
    while (this.unprepared.length > 0) {
      await nextMacrotask();
      const model = this.unprepared.shift()!;
      this.queued.delete(model);
      // A model swapped out or unloaded meanwhile is not worth the work.
      if (this.peek(model.name, model.version) !== model) continue;
      try {
        prepareForest(model.artifact.forest);
        this.prepared.add(model);
      } catch (err) {
        this.log.error({ err, model: model.name, version: model.version }, 'table build failed');
      }
    }
    this.preparing = null;
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
    this.metrics.recordReload('failure', trigger, name);
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

  /** Publishes the state of model `name` to the metrics. */
  private publish(name: string): void {
    const entry = this.models.get(name);
    const loaded = (entry?.versions ?? []).flatMap((slot) =>
      slot.model === null
        ? []
        : [
            {
              version: slot.version,
              modelVersion: slot.model.modelVersion,
              sha256: slot.model.artifact.sha256,
              sourceFormat: slot.model.artifact.source.format,
            },
          ],
    );
    this.metrics.setModel(name, loaded, latestModel(entry) !== null);
  }
}

function findSlot(entry: ModelEntry, version: number): VersionSlot | undefined {
  return entry.versions.find((v) => v.version === version);
}

/** Why a prepared model is not a complete success, or null when it is. */
export function failureReason(prepared: PreparedModel): string | null {
  if (prepared.reason !== null) return prepared.reason;
  const { failures, versions } = prepared;
  if (failures.length === 0) return null;
  if (versions.length === 1) return failures[0].reason;
  return failures.map((f) => `version ${f.version}: ${f.reason}`).join('; ');
}
