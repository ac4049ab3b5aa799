import { ID_POOL_BYTES, PooledIdGenerator } from '../../../src/tracing/pooled-id-generator';

describe('PooledIdGenerator', () => {
  it('gives lowercase hex ids of W3C length, all different, across pool refills', () => {
    const ids = new PooledIdGenerator();
    const spans = Array.from({ length: 3 * (ID_POOL_BYTES / 8) + 5 }, () => ids.generateSpanId());
    const traces = Array.from({ length: 3 * (ID_POOL_BYTES / 16) + 5 }, () =>
      ids.generateTraceId(),
    );
    for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/);
    for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(spans).size).toBe(spans.length);
    expect(new Set(traces).size).toBe(traces.length);
  });

  it('cuts ids from the random bytes in order, a fresh draw when the pool runs out', () => {
    let draws = 0;
    const ids = new PooledIdGenerator((bytes) => {
      draws++;
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i + draws) & 0xff;
    });
    expect(ids.generateSpanId()).toBe('0102030405060708');
    expect(ids.generateTraceId()).toBe('090a0b0c0d0e0f101112131415161718');
    expect(draws).toBe(1);
    // What is left of the pool is too short for a trace id: the next comes from a new draw.
    for (let left = ID_POOL_BYTES - 24; left >= 8; left -= 8) ids.generateSpanId();
    expect(draws).toBe(1);
    expect(ids.generateTraceId()).toBe('02030405060708090a0b0c0d0e0f1011');
    expect(draws).toBe(2);
  });

  it('never gives an all-zero id (invalid in W3C Trace Context): it skips such a draw', () => {
    /** A source whose first `zeros` bytes are 0 and the rest 1. */
    const source = (zeros: number) => (bytes: Buffer) => {
      for (let i = 0; i < bytes.length; i++) bytes[i] = i < zeros ? 0 : 1;
    };
    const spans = new PooledIdGenerator(source(24));
    expect(spans.generateSpanId()).toBe('01'.repeat(8));
    const traces = new PooledIdGenerator(source(16));
    expect(traces.generateTraceId()).toBe('01'.repeat(16));
    // Zeros in part of an id are fine.
    const partly = new PooledIdGenerator(source(8));
    expect(partly.generateTraceId()).toBe('00'.repeat(8) + '01'.repeat(8));
  });
});
