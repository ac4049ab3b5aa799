import type { ScoredRows } from './scored-rows';

/**
 * Sees every scored row: {@link ScoringService} calls it once per scoring call, with all of the
 * call's rows, after their scores and extra outputs are computed (a drift monitor, metrics).
 * Called synchronously on the request path, so keep it cheap; an observer that throws is logged
 * and never fails the request. Register it with `ScoringService.addObserver` (in
 * `onModuleInit`).
 */
export interface ScoreObserver {
  /** Records the rows of one scoring call. Must not keep `scored.x` or `scored.scores` mutable. */
  observe(scored: ScoredRows): void;
}
