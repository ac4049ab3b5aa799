import type { Cluster, Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { ReloadTrigger } from '../metrics/metrics.service';
import type { ModelHandoff, VerifiedModel } from '../model/model-handoff';
import type { LoadAttempt, PoolReloadResult } from '../model/model-pool';
import type { PrimaryMetrics } from './pool-metrics';
import { renderPoolMetrics } from './pool-metrics';
import {
  isPoolMessage,
  type MetricsSnapshot,
  type ToPrimary,
  type ToWorker,
  type WorkerRequest,
  type WorkerRequestResult,
} from './pool-protocol';
import { nextRestart, RESTART_BACKOFF, type CrashHistory } from './restart-backoff';

/** Reads and verifies `MODEL_PATH` (the primary's only disk access). */
export type ReadModel = () => Promise<VerifiedModel>;

/** Turns a load failure into the reason callers may see. */
export type DescribeLoadError = (err: unknown) => string;

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
  readonly readModel: ReadModel;
  readonly describeLoadError: DescribeLoadError;
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
  /** The sha256 the worker built its app with (reported in `built`). */
  builtSha: string | null;
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
  private model: VerifiedModel | null = null;
  private lastLoad: LoadAttempt | null = null;
  private unavailableReason = 'the model has not been loaded yet';
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
      builtSha: null,
    }));
  }

  /** Workers serving now. */
  get servingCount(): number {
    return this.slots.filter((s) => s.state === 'serving').length;
  }

  /** Loads the model (a failure leaves the workers without one, readiness down) and forks. */
  async start(): Promise<void> {
    await this.enqueue(() => this.load('startup'));
    for (const slot of this.slots) this.fork(slot);
  }

  /**
   * Reloads `MODEL_PATH` on every worker, all or nothing. Resolves once decided: on success
   * every serving worker has committed the new model. Never throws.
   */
  reload(trigger: ReloadTrigger): Promise<PoolReloadResult> {
    return this.enqueue(() => this.load(trigger));
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
    slot.builtSha = null;
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
          model: this.model?.handoff ?? null,
          lastLoad: this.lastLoad,
          unavailableReason: this.unavailableReason,
        });
        return;
      case 'pool:built':
        slot.builtSha = message.sha256;
        void this.enqueue(() => this.admit(slot, worker));
        return;
      case 'pool:started':
      case 'pool:committed':
        this.settle(
          `${message.type}:${message.type === 'pool:committed' ? message.tx : 0}`,
          slot,
          message,
        );
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
    if (request.op === 'reload') {
      return { op: 'reload', result: await this.reload(request.trigger) };
    }
    return { op: 'scrape', text: await this.scrape() };
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
   * Admits a worker that built its app: brings it up to date if a reload committed since its
   * `init`, then lets it listen. Runs in the serial queue.
   */
  private async admit(slot: Slot, worker: Worker): Promise<void> {
    if (slot.worker !== worker || this.stopping) return;
    const model = this.model;
    if (model !== null && slot.builtSha !== model.handoff.sha256) {
      const tx = this.nextId++;
      const ok = await this.prepareAll([slot], tx, model.handoff);
      if (ok.failed.length > 0 || ok.gone.length > 0) {
        if (slot.worker === worker) {
          this.log.error(
            { slot: slot.index, reasons: ok.failed },
            'new worker could not take the current model; replacing it',
          );
          worker.process.kill('SIGKILL');
        }
        return;
      }
      await this.commitAll([slot], tx, this.lastLoad ?? this.startupAttempt(model));
    }
    const listening = this.ask(
      slot,
      'pool:started:0',
      {
        type: 'pool:listen',
        workers: { serving: this.servingCount, size: this.options.size },
      },
      this.timeouts.startMs,
    );
    const started = await listening;
    if (started === null || slot.worker !== worker) return;
    slot.state = 'serving';
    this.everServed = true;
    this.log.info({ slot: slot.index, workerPid: worker.process.pid }, 'worker serving');
    this.publishWorkers();
  }

  private startupAttempt(model: VerifiedModel): LoadAttempt {
    return { at: model.handoff.loadedAt, trigger: 'startup', ok: true, reason: null };
  }

  /** One load: read and verify once here, then prepare and commit on every serving worker. */
  private async load(trigger: ReloadTrigger): Promise<PoolReloadResult> {
    const at = new Date().toISOString();
    let model: VerifiedModel;
    try {
      model = await this.options.readModel();
    } catch (err) {
      return this.fail(trigger, at, this.options.describeLoadError(err), err);
    }
    const targets = this.slots.filter((s) => s.state === 'serving');
    const tx = this.nextId++;
    const prepared = await this.prepareAll(targets, tx, model.handoff);
    if (prepared.failed.length > 0) {
      for (const slot of targets) this.send(slot, { type: 'pool:abort', tx });
      const first = prepared.failed[0];
      return this.fail(
        trigger,
        at,
        `worker ${first.slot} could not load the model: ${first.reason}`,
        null,
      );
    }
    const previous = this.model;
    const attempt: LoadAttempt = { at, trigger, ok: true, reason: null };
    this.model = model;
    this.lastLoad = attempt;
    await this.commitAll(
      targets.filter((s) => s.state === 'serving'),
      tx,
      attempt,
    );
    this.options.metrics.recordReload('success', trigger);
    this.log.info(
      {
        trigger,
        modelVersion: model.version,
        previousVersion: previous?.version ?? null,
        sha256: model.handoff.sha256,
        workers: targets.length,
      },
      'model loaded',
    );
    return { ok: true, previousVersion: previous?.version ?? null };
  }

  private fail(trigger: ReloadTrigger, at: string, reason: string, err: unknown): PoolReloadResult {
    const attempt: LoadAttempt = { at, trigger, ok: false, reason };
    this.lastLoad = attempt;
    if (this.model === null) this.unavailableReason = reason;
    for (const slot of this.slots) {
      if (slot.state === 'serving' || slot.state === 'booting') {
        this.send(slot, { type: 'pool:attempt', attempt });
      }
    }
    this.options.metrics.recordReload('failure', trigger);
    this.log.error(
      { trigger, reason, err: err ?? undefined, servingVersion: this.model?.version ?? null },
      this.model === null
        ? 'model load failed; no model is serving'
        : 'model reload failed; previous model keeps serving on every worker',
    );
    return { ok: false, reason };
  }

  private async prepareAll(
    targets: readonly Slot[],
    tx: number,
    handoff: ModelHandoff,
  ): Promise<{ failed: { slot: number; reason: string }[]; gone: number[] }> {
    const replies = await Promise.all(
      targets.map((slot) =>
        this.ask(
          slot,
          `pool:prepared:${tx}`,
          { type: 'pool:prepare', tx, model: handoff },
          this.timeouts.prepareMs,
        ).then((reply) => ({ slot, reply })),
      ),
    );
    const failed: { slot: number; reason: string }[] = [];
    const gone: number[] = [];
    for (const { slot, reply } of replies) {
      if (reply === null) {
        // Died meanwhile (its replacement starts on whichever model wins) or timed out.
        if (slot.state === 'serving')
          failed.push({ slot: slot.index, reason: 'no answer in time' });
        else gone.push(slot.index);
      } else if (reply.type === 'pool:prepared' && !reply.ok) {
        failed.push({ slot: slot.index, reason: reply.reason ?? 'unknown' });
      }
    }
    return { failed, gone };
  }

  private async commitAll(
    targets: readonly Slot[],
    tx: number,
    attempt: LoadAttempt,
  ): Promise<void> {
    const replies = await Promise.all(
      targets.map((slot) =>
        this.ask(
          slot,
          `pool:committed:${tx}`,
          { type: 'pool:commit', tx, attempt },
          this.timeouts.commitMs,
        ).then((reply) => ({ slot, reply })),
      ),
    );
    for (const { slot, reply } of replies) {
      if (reply === null && slot.state === 'serving' && slot.worker !== null) {
        // A worker that cannot swap a pointer in time is wedged: replace it (on the new model).
        this.log.error(
          { slot: slot.index },
          'worker did not commit the reload in time; replacing it',
        );
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
