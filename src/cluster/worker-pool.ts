import type { Cluster, Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { ReloadTrigger } from '../metrics/metrics.service';
import { ModelNotFoundError } from '../errors';
import { toHandoff, verifyFiles, type RegistryChange } from '../model/model-handoff';
import type { PoolChangeResult } from '../model/model-pool';
import type { ModelFiles } from '../model/model-source';
import type { PrimaryMetrics } from './pool-metrics';
import { renderPoolMetrics } from './pool-metrics';
import {
  isPoolMessage,
  type MetricsSnapshot,
  type PreparedChange,
  type ToPrimary,
  type ToWorker,
  type WorkerRequest,
  type WorkerRequestResult,
} from './pool-protocol';
import { nextRestart, RESTART_BACKOFF, type CrashHistory } from './restart-backoff';

/** Where the primary reads model bytes: the service's `ModelLoader` (the only disk access). */
export interface ModelSource {
  names(): Promise<string[]>;
  read(name: string): Promise<ModelFiles>;
}

/** Timeouts of the pool's exchanges with its workers. */
export interface PoolTimeouts {
  /** A worker's phase one of a reload (decode and self-test). */
  readonly prepareMs: number;
  /** A worker's phase two (a pointer swap) and its `listen`. */
  readonly commitMs: number;
  /** One worker's metrics snapshot. */
  readonly metricsMs: number;
  /** A new worker's start-up, from fork to `started`. */
  readonly startMs: number;
}

/** Defaults of {@link PoolTimeouts}. */
export const POOL_TIMEOUTS: PoolTimeouts = {
  prepareMs: 60_000,
  commitMs: 10_000,
  metricsMs: 5_000,
  startMs: 120_000,
};

/** What {@link WorkerPool} needs. */
export interface WorkerPoolOptions {
  readonly size: number;
  readonly cluster: Cluster;
  readonly logger: Logger;
  readonly metrics: PrimaryMetrics;
  readonly source: ModelSource;
  /** SHUTDOWN_GRACE_MS: each worker's drain budget. */
  readonly shutdownGraceMs: number;
  readonly timeouts?: PoolTimeouts;
  /**
   * Called when a worker dies before the pool ever served (a port in use, a broken install):
   * as a single process would exit at start-up, the pool gives up instead of crash-looping.
   */
  readonly onStartupFailure: (reason: string) => void;
}

type SlotState = 'idle' | 'booting' | 'serving' | 'stopped';

/** One of the pool's N places; a replacement worker takes the dead one's slot. */
interface Slot {
  readonly index: number;
  worker: Worker | null;
  state: SlotState;
  startedAt: number;
  history: CrashHistory;
  restartTimer: NodeJS.Timeout | null;
  /** The change generation the worker built its app with (reported in `built`). */
  builtGeneration: number;
}

/** A reply a worker owes the primary, matched by a key such as `prepared:3`. */
interface Pending {
  readonly slot: Slot;
  readonly resolve: (message: ToPrimary | null) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The primary of a worker pool (WORKERS > 1). It serves no requests: it forks N workers that
 * share the listening port (node:cluster), owns the model (reads and verifies each file once,
 * then hands the bytes to the workers), runs reloads on every worker two-phase so that they
 * change all together or not at all, answers the workers' `/metrics` with the sum over the pool,
 * tells them how many workers serve (readiness waits for all), replaces dead workers with a
 * back-off, and on shutdown drains every worker.
 *
 * Model state changes (reloads and admitting a new worker) run one at a time in a serial queue,
 * so a worker that starts during a reload cannot come up on the old model.
 */
export class WorkerPool {
  private readonly slots: Slot[];
  private readonly log: Logger;
  private readonly timeouts: PoolTimeouts;
  private readonly pending = new Map<string, Pending>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Per model name, the changes since its last complete load (what a new worker replays). */
  private readonly journal = new Map<string, RegistryChange[]>();
  /** Artifact id serving per model name, for logs. */
  private readonly versions = new Map<string, string | null>();
  private generation = 0;
  private nextId = 1;
  private stopping = false;
  private readyLogged = false;
  private everServed = false;
  private readonly exits = new Map<number, Promise<number | null>>();

  constructor(private readonly options: WorkerPoolOptions) {
    this.log = options.logger.child({ context: 'WorkerPool' });
    this.timeouts = options.timeouts ?? POOL_TIMEOUTS;
    this.slots = Array.from({ length: options.size }, (_, i) => ({
      index: i + 1,
      worker: null,
      state: 'idle',
      startedAt: 0,
      history: { quickCrashes: 0 },
      restartTimer: null,
      builtGeneration: -1,
    }));
  }

  /** Workers serving now. */
  get servingCount(): number {
    return this.slots.filter((s) => s.state === 'serving').length;
  }

  /** Reads and verifies every model (a failure leaves the workers without it) and forks. */
  async start(): Promise<void> {
    for (const name of await this.options.source.names()) {
      await this.load(name, 'startup');
    }
    for (const slot of this.slots) this.fork(slot);
  }

  /**
   * Loads `name` on every worker, all or nothing. Resolves once decided: by then every serving
   * worker has installed the outcome (a bad file is installed as the registry installs one:
   * the previous model keeps serving, `last_load` says why), or, when a worker failed in a way
   * the others did not, no worker changed. Never throws.
   */
  load(name: string, trigger: ReloadTrigger): Promise<PoolChangeResult> {
    return this.enqueue(() => this.runLoad(name, trigger));
  }

  /** Unloads `name` on every worker, all or nothing. Never throws. */
  unload(name: string): Promise<PoolChangeResult> {
    return this.enqueue(() => this.runUnload(name));
  }

  /**
   * Drains every worker (each as a single process drains: readiness down, in-flight requests
   * finish, then it exits) and resolves with true when all exited 0 within the grace period
   * (plus a second for the processes to exit); stragglers are killed.
   */
  async shutdown(): Promise<boolean> {
    this.stopping = true;
    for (const slot of this.slots) {
      if (slot.restartTimer !== null) clearTimeout(slot.restartTimer);
      slot.restartTimer = null;
    }
    const live = this.slots.filter((s) => s.worker !== null);
    for (const slot of live) this.send(slot, { type: 'pool:drain' });
    const all = Promise.all(live.map((s) => this.exits.get(s.index) ?? Promise.resolve(0)));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.options.shutdownGraceMs + 1000);
    });
    const outcome = await Promise.race([all, deadline]);
    clearTimeout(timer);
    if (outcome === 'late') {
      for (const slot of this.slots) {
        if (slot.worker !== null && slot.worker.exitedAfterDisconnect !== true) {
          slot.worker.process.kill('SIGKILL');
        }
      }
      this.log.error('shutdown: workers still running after the grace period; killed');
      return false;
    }
    const clean = outcome.every((code) => code === 0);
    this.log.info({ exitCodes: outcome }, 'shutdown: every worker exited');
    return clean;
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private fork(slot: Slot): void {
    if (this.stopping) return;
    const worker = this.options.cluster.fork();
    slot.worker = worker;
    slot.state = 'booting';
    slot.startedAt = Date.now();
    slot.builtGeneration = -1;
    this.exits.set(
      slot.index,
      new Promise((resolve) => worker.once('exit', (code: number | null) => resolve(code))),
    );
    const bootTimer = setTimeout(() => {
      if (slot.worker === worker && slot.state === 'booting') {
        this.log.error(
          { slot: slot.index, workerPid: worker.process.pid },
          'worker did not start in time; killing it',
        );
        worker.process.kill('SIGKILL');
      }
    }, this.timeouts.startMs);
    bootTimer.unref();
    worker.on('message', (message: unknown) => {
      if (isPoolMessage<ToPrimary>(message)) this.onMessage(slot, worker, message);
    });
    worker.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(bootTimer);
      this.onExit(slot, worker, code, signal);
    });
  }

  private onMessage(slot: Slot, worker: Worker, message: ToPrimary): void {
    if (slot.worker !== worker) return;
    switch (message.type) {
      case 'pool:hello':
        this.send(slot, {
          type: 'pool:init',
          slot: slot.index,
          changes: this.changes(),
          generation: this.generation,
        });
        return;
      case 'pool:built':
        slot.builtGeneration = message.generation;
        void this.enqueue(() => this.admit(slot, worker));
        return;
      case 'pool:started':
      case 'pool:resynced':
        this.settle(`${message.type}:0`, slot, message);
        return;
      case 'pool:committed':
        this.settle(`pool:committed:${message.tx}`, slot, message);
        return;
      case 'pool:prepared':
        this.settle(`pool:prepared:${message.tx}`, slot, message);
        return;
      case 'pool:metrics':
        this.settle(`pool:metrics:${message.id}`, slot, message);
        return;
      case 'pool:request':
        void this.answer(message.request).then((result) => {
          if (slot.worker === worker && worker.isConnected()) {
            this.send(slot, { type: 'pool:reply', id: message.id, result });
          }
        });
        return;
      default: {
        const unexpected: never = message;
        this.log.warn({ message: unexpected }, 'unknown message from a worker');
      }
    }
  }

  private async answer(request: WorkerRequest): Promise<WorkerRequestResult> {
    switch (request.op) {
      case 'load':
        return { op: 'change', result: await this.load(request.name, request.trigger) };
      case 'unload':
        return { op: 'change', result: await this.unload(request.name) };
      case 'scrape':
        return { op: 'scrape', text: await this.scrape() };
    }
  }

  /** Every change a worker starting now replays. */
  private changes(): RegistryChange[] {
    return [...this.journal.values()].flat();
  }

  /** The pool's metrics: every serving worker's snapshot summed, plus the primary's. */
  private async scrape(): Promise<string> {
    const id = this.nextId++;
    const serving = this.slots.filter((s) => s.state === 'serving');
    const replies = await Promise.all(
      serving.map((slot) =>
        this.ask(
          slot,
          `pool:metrics:${id}`,
          { type: 'pool:collect-metrics', id },
          this.timeouts.metricsMs,
        ),
      ),
    );
    const snapshots: MetricsSnapshot[] = [];
    for (const reply of replies) {
      if (reply?.type === 'pool:metrics') snapshots.push(reply.metrics);
    }
    return renderPoolMetrics(snapshots, this.options.metrics.registry);
  }

  /**
   * Admits a worker that built its app: brings it up to date if a change landed since its
   * `init`, then lets it listen. Runs in the serial queue.
   */
  private async admit(slot: Slot, worker: Worker): Promise<void> {
    if (slot.worker !== worker || this.stopping) return;
    if (slot.builtGeneration !== this.generation) {
      const resynced = await this.ask(
        slot,
        'pool:resynced:0',
        { type: 'pool:resync', changes: this.changes(), generation: this.generation },
        this.timeouts.prepareMs,
      );
      if (resynced === null) {
        if (slot.worker === worker) worker.process.kill('SIGKILL');
        return;
      }
    }
    const started = await this.ask(
      slot,
      'pool:started:0',
      { type: 'pool:listen', workers: { serving: this.servingCount, size: this.options.size } },
      this.timeouts.startMs,
    );
    if (started === null || slot.worker !== worker) return;
    slot.state = 'serving';
    this.everServed = true;
    this.log.info({ slot: slot.index, workerPid: worker.process.pid }, 'worker serving');
    this.publishWorkers();
  }

  /** One load: read and verify once here, then prepare and install on every serving worker. */
  private async runLoad(name: string, trigger: ReloadTrigger): Promise<PoolChangeResult> {
    let files: ModelFiles;
    try {
      files = await this.options.source.read(name);
    } catch (err) {
      const notFound = err instanceof ModelNotFoundError;
      const reason =
        err instanceof Error && notFound ? err.message : 'model could not be read (see server log)';
      this.options.metrics.recordReload('failure', trigger, name);
      this.log.error({ trigger, model: name, reason, err }, 'model load failed');
      return { ok: false, reason, notFound };
    }
    const loadedAt = new Date();
    const at = loadedAt.toISOString();
    const handoff = toHandoff(files, loadedAt);
    const verdict = verifyFiles(files, loadedAt);
    const change: RegistryChange = { kind: 'install', handoff, trigger, at };
    const refused = await this.twoPhase({ kind: 'install', handoff }, trigger, at, verdict.reason);
    if (refused !== null) {
      this.options.metrics.recordReload('failure', trigger, name);
      return { ok: false, reason: refused };
    }
    const previous = this.versions.get(name) ?? null;
    if (verdict.reason === null) this.journal.set(name, [change]);
    else this.journal.set(name, [...(this.journal.get(name) ?? []), change]);
    this.generation++;
    this.options.metrics.recordReload(
      verdict.reason === null ? 'success' : 'failure',
      trigger,
      name,
    );
    if (verdict.reason !== null) {
      this.log.error(
        { trigger, model: name, reason: verdict.reason, servingVersion: previous },
        'model load failed on the primary and every worker alike; what served keeps serving',
      );
      return { ok: false, reason: verdict.reason };
    }
    this.versions.set(name, verdict.modelVersion);
    this.log.info(
      {
        trigger,
        model: name,
        modelVersion: verdict.modelVersion,
        previousVersion: previous,
        workers: this.servingCount,
      },
      'model loaded on every worker',
    );
    return { ok: true };
  }

  private async runUnload(name: string): Promise<PoolChangeResult> {
    if (!this.journal.has(name)) {
      return { ok: false, reason: new ModelNotFoundError(name).message, notFound: true };
    }
    const refused = await this.twoPhase(
      { kind: 'unload', name },
      'api',
      new Date().toISOString(),
      null,
    );
    if (refused !== null) return { ok: false, reason: refused };
    this.journal.set(name, [...(this.journal.get(name) ?? []), { kind: 'unload', name }]);
    this.versions.set(name, null);
    this.generation++;
    this.log.info({ model: name, workers: this.servingCount }, 'model unloaded on every worker');
    return { ok: true };
  }

  /**
   * Phase one on every serving worker; when each prepared the outcome the primary expects,
   * phase two. Returns null when committed, else why every worker was told to abort.
   */
  private async twoPhase(
    change: PreparedChange,
    trigger: ReloadTrigger,
    at: string,
    expected: string | null,
  ): Promise<string | null> {
    const targets = this.slots.filter((s) => s.state === 'serving');
    const tx = this.nextId++;
    const prepared = await this.prepareAll(targets, tx, change, expected);
    if (prepared.failed.length > 0) {
      for (const slot of targets) this.send(slot, { type: 'pool:abort', tx });
      const first = prepared.failed[0];
      const reason = `worker ${first.slot} could not prepare the change (${first.reason}); no worker changed`;
      this.log.error({ trigger, failed: prepared.failed }, reason);
      return reason;
    }
    await this.commitAll(
      targets.filter((s) => s.state === 'serving'),
      tx,
      trigger,
      at,
    );
    return null;
  }

  private async prepareAll(
    targets: readonly Slot[],
    tx: number,
    change: PreparedChange,
    expected: string | null,
  ): Promise<{ failed: { slot: number; reason: string }[] }> {
    const replies = await Promise.all(
      targets.map((slot) =>
        this.ask(
          slot,
          `pool:prepared:${tx}`,
          { type: 'pool:prepare', tx, change },
          this.timeouts.prepareMs,
        ).then((reply) => ({ slot, reply })),
      ),
    );
    const failed: { slot: number; reason: string }[] = [];
    for (const { slot, reply } of replies) {
      if (reply === null) {
        // Died meanwhile (its replacement replays whatever wins) or timed out.
        if (slot.state === 'serving')
          failed.push({ slot: slot.index, reason: 'no answer in time' });
      } else if (reply.type === 'pool:prepared' && (!reply.ok || reply.reason !== expected)) {
        failed.push({ slot: slot.index, reason: reply.reason ?? 'unexpected success' });
      }
    }
    return { failed };
  }

  private async commitAll(
    targets: readonly Slot[],
    tx: number,
    trigger: ReloadTrigger,
    at: string,
  ): Promise<void> {
    const replies = await Promise.all(
      targets.map((slot) =>
        this.ask(
          slot,
          `pool:committed:${tx}`,
          { type: 'pool:commit', tx, trigger, at },
          this.timeouts.commitMs,
        ).then((reply) => ({ slot, reply })),
      ),
    );
    for (const { slot, reply } of replies) {
      if (reply === null && slot.state === 'serving' && slot.worker !== null) {
        // A worker that cannot swap a pointer in time is wedged: replace it (it replays the change).
        this.log.error({ slot: slot.index }, 'worker did not commit in time; replacing it');
        slot.worker.process.kill('SIGKILL');
      }
    }
  }

  /** Sends `message` and resolves with the reply under `key`, or null (exit or timeout). */
  private ask(
    slot: Slot,
    key: string,
    message: ToWorker,
    timeoutMs: number,
  ): Promise<ToPrimary | null> {
    const fullKey = `${slot.index}/${key}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(fullKey);
        resolve(null);
      }, timeoutMs);
      this.pending.set(fullKey, { slot, resolve, timer });
      if (!this.send(slot, message)) this.settle(key, slot, null);
    });
  }

  private settle(key: string, slot: Slot, message: ToPrimary | null): void {
    const fullKey = `${slot.index}/${key}`;
    const pending = this.pending.get(fullKey);
    if (pending === undefined) return;
    this.pending.delete(fullKey);
    clearTimeout(pending.timer);
    pending.resolve(message);
  }

  private send(slot: Slot, message: ToWorker): boolean {
    const worker = slot.worker;
    if (worker === null || !worker.isConnected()) return false;
    try {
      worker.send(message);
      return true;
    } catch {
      return false;
    }
  }

  /** Tells every serving worker how many serve (readiness), and logs the pool becoming ready. */
  private publishWorkers(): void {
    const serving = this.servingCount;
    this.options.metrics.setServing(serving);
    for (const slot of this.slots) {
      if (slot.state === 'serving') {
        this.send(slot, { type: 'pool:workers', serving, size: this.options.size });
      }
    }
    if (serving === this.options.size && !this.readyLogged) {
      this.readyLogged = true;
      this.log.info({ workers: serving }, 'every worker serving');
    }
  }

  private onExit(
    slot: Slot,
    worker: Worker,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (slot.worker !== worker) return;
    const wasServing = slot.state === 'serving';
    slot.worker = null;
    slot.state = this.stopping ? 'stopped' : 'idle';
    // Every reply this worker owed resolves as "gone".
    for (const [key, pending] of this.pending) {
      if (pending.slot === slot) {
        this.pending.delete(key);
        clearTimeout(pending.timer);
        pending.resolve(null);
      }
    }
    if (this.stopping) return;
    if (!this.everServed) {
      this.log.error(
        { slot: slot.index, workerPid: worker.process.pid, code, signal },
        'a worker failed to start; stopping the pool',
      );
      this.options.onStartupFailure(
        `worker ${slot.index} exited with ${code ?? signal} while starting`,
      );
      return;
    }
    const uptimeMs = Date.now() - slot.startedAt;
    const next = nextRestart(slot.history, uptimeMs, RESTART_BACKOFF);
    slot.history = next.history;
    this.readyLogged = false;
    this.log.error(
      {
        slot: slot.index,
        workerPid: worker.process.pid,
        code,
        signal,
        uptimeMs,
        restartInMs: next.delayMs,
      },
      'worker died; replacing it',
    );
    if (wasServing) this.publishWorkers();
    this.options.metrics.recordRestart();
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      this.fork(slot);
    }, next.delayMs);
  }
}
