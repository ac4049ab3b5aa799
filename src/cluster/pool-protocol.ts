import type { Registry } from 'prom-client';
import type { ReloadTrigger } from '../metrics/metrics.service';
import type { ModelHandoff, RegistryChange } from '../model/model-handoff';
import type { PoolChangeResult } from '../model/model-pool';

/**
 * The IPC protocol between a worker pool's primary and its workers (node:cluster channels with
 * `advanced` serialization, so model bytes travel as typed arrays). Every message's `type` starts
 * with `pool:`; anything else on the channel (Node's own cluster messages) is ignored.
 *
 * Start-up: worker `hello` -> primary `init` (every registry change so far, and their
 * generation) -> worker builds the app, replaying them, and answers `built` with that generation
 * -> primary, in its serial queue (so no load interleaves), sends `resync` if a change landed
 * meanwhile, then `listen` -> worker listens -> `started`.
 *
 * A load or unload (two-phase, run by the primary on every serving worker): `prepare` (decode and
 * verify the handed-over bytes, change nothing) -> every worker `prepared`, with the outcome the
 * primary expects -> `commit` (install) -> every worker `committed` -> the primary answers the
 * requester. A worker that fails in its own way (or times out) in phase one -> `abort`: nothing
 * changed on any worker.
 */

/** A prom-client registry as `getMetricsAsJSON()` returns it. */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** The pool's serving workers, for readiness. */
export interface WorkersMessage {
  readonly type: 'pool:workers';
  readonly serving: number;
  readonly size: number;
}

/** What phase one of a change prepares. */
export type PreparedChange =
  | { readonly kind: 'install'; readonly handoff: ModelHandoff }
  | { readonly kind: 'unload'; readonly name: string };

/** Messages from the primary to a worker. */
export type ToWorker =
  | {
      readonly type: 'pool:init';
      /** 1-based slot (the `worker` metrics label); a replacement keeps its slot. */
      readonly slot: number;
      readonly changes: readonly RegistryChange[];
      readonly generation: number;
    }
  | {
      readonly type: 'pool:resync';
      readonly changes: readonly RegistryChange[];
      readonly generation: number;
    }
  | { readonly type: 'pool:listen'; readonly workers: Omit<WorkersMessage, 'type'> }
  | { readonly type: 'pool:prepare'; readonly tx: number; readonly change: PreparedChange }
  | {
      readonly type: 'pool:commit';
      readonly tx: number;
      readonly trigger: ReloadTrigger;
      readonly at: string;
    }
  | { readonly type: 'pool:abort'; readonly tx: number }
  | { readonly type: 'pool:collect-metrics'; readonly id: number }
  | WorkersMessage
  | { readonly type: 'pool:reply'; readonly id: number; readonly result: WorkerRequestResult }
  | { readonly type: 'pool:drain' };

/** What a worker may ask the primary. */
export type WorkerRequest =
  | { readonly op: 'load'; readonly name: string; readonly trigger: ReloadTrigger }
  | { readonly op: 'unload'; readonly name: string }
  | { readonly op: 'scrape' };

/** The primary's answer to a {@link WorkerRequest}. */
export type WorkerRequestResult =
  | { readonly op: 'change'; readonly result: PoolChangeResult }
  | { readonly op: 'scrape'; readonly text: string };

/** Messages from a worker to the primary. */
export type ToPrimary =
  | { readonly type: 'pool:hello' }
  | { readonly type: 'pool:built'; readonly generation: number }
  | { readonly type: 'pool:resynced' }
  | { readonly type: 'pool:started' }
  | {
      readonly type: 'pool:prepared';
      readonly tx: number;
      /** False when this worker failed in its own way (bytes changed, name unknown, a crash). */
      readonly ok: boolean;
      /** The load's failure reason as this worker's registry words it (null: complete success). */
      readonly reason: string | null;
    }
  | { readonly type: 'pool:committed'; readonly tx: number }
  | { readonly type: 'pool:metrics'; readonly id: number; readonly metrics: MetricsSnapshot }
  | { readonly type: 'pool:request'; readonly id: number; readonly request: WorkerRequest };

/** True for messages of this protocol (not Node's internal cluster messages). */
export function isPoolMessage<T extends { type: string }>(message: unknown): message is T {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { type?: unknown }).type === 'string' &&
    (message as { type: string }).type.startsWith('pool:')
  );
}
