import { nextRestart, RESTART_BACKOFF } from '../../../src/cluster/restart-backoff';

describe('nextRestart (worker restart back-off)', () => {
  const options = { initialMs: 100, maxMs: 30_000, stableMs: 30_000 };

  it('replaces a worker that ran stably at once (initialMs) and forgets earlier crashes', () => {
    expect(nextRestart({ quickCrashes: 7 }, 45_000, options)).toEqual({
      delayMs: 100,
      history: { quickCrashes: 0 },
    });
  });

  it('doubles the delay per quick crash in a row, capped at maxMs', () => {
    let history = { quickCrashes: 0 };
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      const next = nextRestart(history, 50, options);
      delays.push(next.delayMs);
      history = next.history;
    }
    expect(delays).toEqual([
      100, 200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000, 30_000,
    ]);
    expect(history.quickCrashes).toBe(12);
  });

  it('never overflows however long the crash loop', () => {
    const next = nextRestart({ quickCrashes: 10_000 }, 0, options);
    expect(next.delayMs).toBe(30_000);
  });

  it('defaults: 100 ms first, 30 s at most, stable after 30 s', () => {
    expect(RESTART_BACKOFF).toEqual(options);
    expect(nextRestart({ quickCrashes: 0 }, 29_999).delayMs).toBe(100);
    expect(nextRestart({ quickCrashes: 1 }, 29_999).delayMs).toBe(200);
  });
});
