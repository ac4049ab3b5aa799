import { LifecycleService } from '../../../src/lifecycle/lifecycle.service';

describe('LifecycleService', () => {
  it('resolves whenIdle at once with nothing in flight', async () => {
    await expect(new LifecycleService().whenIdle()).resolves.toBeUndefined();
  });

  it('resolves whenIdle only after the last in-flight request finishes', async () => {
    const life = new LifecycleService();
    life.requestStarted();
    life.requestStarted();
    let idle = false;
    const waiting = life.whenIdle().then(() => (idle = true));
    life.requestFinished();
    await Promise.resolve();
    expect(idle).toBe(false);
    expect(life.inFlightRequests).toBe(1);
    life.requestFinished();
    await waiting;
    expect(idle).toBe(true);
  });

  it('flags the shutdown', () => {
    const life = new LifecycleService();
    expect(life.isShuttingDown).toBe(false);
    life.beginShutdown();
    expect(life.isShuttingDown).toBe(true);
  });
});
