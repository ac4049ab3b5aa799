import type { Registry } from 'prom-client';
import type { LoadAttempt, PoolReloadResult } from '../model/model-pool';
import type { ModelHandoff } from '../model/model-handoff';
import type { ReloadTrigger } from '../metrics/metrics.service';

/**
 * The IPC protocol between a worker pool's primary and its workers (node:cluster channels with
 * `advanced` serialization, so model bytes travel as typed arrays). Every message's `type` starts
 * with `pool:`; anything else on the channel (Node's own cluster messages) is ignored.
 *
 * Start-up: worker `hello` -> primary `init` (the current model hand-off) -> worker builds the
 * app and answers `built` with the sha256 it serves -> primary, in its serial queue (so no reload
 * interleaves), brings it up to date with `prepare`/`commit` if a reload landed meanwhile, then
 * `listen` -> worker listens -> `started`.
 *
 * Reload (two-phase, run by the primary on every serving worker): `prepare` (decode, self-test,
 * swap nothing) -> every worker `prepared` ok -> `commit` -> every worker `committed` -> the
 * primary answers the requester. Any failure or timeout in phase one -> `abort`, nothing
 * changed, and `attempt` tells every worker the failed attempt for `GET /model`.
 */

/** A prom-client registry as `getMetricsAsJSON()` returns it. */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** The pool's serving workers, for readiness. */
export interface WorkersMessage {
  readonly type: 'pool:workers';
  readonly serving: number;
  readonly size: number;
}

/** Messages from the primary to a worker. */
export type ToWorker =
  | {
      readonly type: 'pool:init';
      /** 1-based slot (the `worker` metrics label); a replacement keeps its slot. */
      readonly slot: number;
      readonly model: ModelHandoff | null;
      readonly lastLoad: LoadAttempt | null;
      readonly unavailableReason: string;
    }
  | { readonly type: 'pool:listen'; readonly workers: Omit<WorkersMessage, 'type'> }
  | { readonly type: 'pool:prepare'; readonly tx: number; readonly model: ModelHandoff }
  | { readonly type: 'pool:commit'; readonly tx: number; readonly attempt: LoadAttempt }
  | { readonly type: 'pool:abort'; readonly tx: number }
  | { readonly type: 'pool:attempt'; readonly attempt: LoadAttempt }
  | { readonly type: 'pool:collect-metrics'; readonly id: number }
  | WorkersMessage
  | { readonly type: 'pool:reply'; readonly id: number; readonly result: WorkerRequestResult }
  | { readonly type: 'pool:drain' };

/** What a worker may ask the primary. */
export type WorkerRequest =
  { readonly op: 'reload'; readonly trigger: ReloadTrigger } | { readonly op: 'scrape' };

/** The primary's answer to a {@link WorkerRequest}. */
export type WorkerRequestResult =
  | { readonly op: 'reload'; readonly result: PoolReloadResult }
  | { readonly op: 'scrape'; readonly text: string };

/** Messages from a worker to the primary. */
export type ToPrimary =
  | { readonly type: 'pool:hello' }
  | { readonly type: 'pool:built'; readonly sha256: string | null }
  | { readonly type: 'pool:started' }
  | {
      readonly type: 'pool:prepared';
      readonly tx: number;
      readonly ok: boolean;
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
