import type { MetricsPoolPort, ReloadTrigger } from '../metrics/metrics.service';
import type { ModelPoolPort, PoolChangeResult } from '../model/model-pool';
import {
  isPoolMessage,
  type ToPrimary,
  type ToWorker,
  type WorkerRequest,
  type WorkerRequestResult,
} from './pool-protocol';

/** The primary's `init` message. */
export type InitMessage = Extract<ToWorker, { type: 'pool:init' }>;

/** Messages a worker handles (replies to its own requests are matched here). */
export type WorkerInbound = Exclude<ToWorker, { type: 'pool:init' | 'pool:reply' }>;

/** A process with an IPC channel to its parent (a cluster worker). */
export interface ParentChannel {
  send?: NodeJS.Process['send'];
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * A pool worker's end of the IPC channel: the start-up handshake, requests to the primary
 * (reload, scrape) matched to their replies, and everything else passed to one handler. It is
 * also the {@link ModelPoolPort} and {@link MetricsPoolPort} the app's modules use.
 */
export class WorkerChannel {
  private readonly waiting = new Map<number, (result: WorkerRequestResult) => void>();
  private handler: ((message: WorkerInbound) => void) | null = null;
  private early: WorkerInbound[] = [];
  private initResolve: ((init: InitMessage) => void) | null = null;
  private nextId = 1;

  constructor(private readonly parent: ParentChannel) {
    parent.on('message', (message) => {
      if (isPoolMessage<ToWorker>(message)) this.receive(message);
    });
  }

  /** Announces this worker and resolves with the primary's `init`. */
  hello(): Promise<InitMessage> {
    const init = new Promise<InitMessage>((resolve) => (this.initResolve = resolve));
    this.send({ type: 'pool:hello' });
    return init;
  }

  /** Handles every other message from now on (messages that came earlier are replayed). */
  onMessage(handler: (message: WorkerInbound) => void): void {
    this.handler = handler;
    const early = this.early;
    this.early = [];
    for (const message of early) handler(message);
  }

  /** Sends `message` to the primary (dropped when the channel is closed). */
  send(message: ToPrimary): void {
    try {
      this.parent.send?.(message);
    } catch {
      // The primary is gone; the `disconnect` handler drains this worker.
    }
  }

  /** Asks the primary; resolves with its answer. */
  request(request: WorkerRequest): Promise<WorkerRequestResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ type: 'pool:request', id, request });
    });
  }

  /** The model port for this worker, with the registry changes from `init`. */
  modelPort(init: InitMessage): ModelPoolPort {
    const change = async (request: WorkerRequest): Promise<PoolChangeResult> => {
      const answer = await this.request(request);
      if (answer.op !== 'change') throw new Error('mismatched reply from the primary');
      return answer.result;
    };
    return {
      changes: init.changes,
      load: (name: string, trigger: ReloadTrigger) => change({ op: 'load', name, trigger }),
      unload: (name: string) => change({ op: 'unload', name }),
    };
  }

  /** The metrics port for this worker. */
  metricsPort(init: InitMessage): MetricsPoolPort {
    return {
      workerLabel: String(init.slot),
      scrape: async (): Promise<string> => {
        const answer = await this.request({ op: 'scrape' });
        if (answer.op !== 'scrape') throw new Error('mismatched reply from the primary');
        return answer.text;
      },
    };
  }

  private receive(message: ToWorker): void {
    if (message.type === 'pool:init') {
      this.initResolve?.(message);
      this.initResolve = null;
      return;
    }
    if (message.type === 'pool:reply') {
      const resolve = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      resolve?.(message.result);
      return;
    }
    if (this.handler === null) this.early.push(message);
    else this.handler(message);
  }
}
