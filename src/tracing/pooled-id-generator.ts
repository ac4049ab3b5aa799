import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

/** Random bytes drawn at a time: 256 span ids' worth. */
export const ID_POOL_BYTES = 2048;

const ZERO_SPAN_ID = '0'.repeat(16);
const ZERO_TRACE_ID = '0'.repeat(32);

/**
 * Trace and span ids for OpenTelemetry (the SDK's `IdGenerator` extension point) cut from a pool
 * of random hex. The SDK's `RandomIdGenerator` calls `Math.random` per 4 bytes and crosses into
 * C++ (`Buffer#toString('hex')`) for every id; on a request path that costs about as much as the
 * rest of the span. Here one `randomFill` and one hex conversion serve 256 span ids (or 128
 * trace ids), and an id is a slice of that string. Ids are as random as the crypto source, never
 * all zeros (invalid in W3C Trace Context: such a draw is skipped), and never handed out twice
 * from the same pool.
 */
export class PooledIdGenerator implements IdGenerator {
  private pool = '';
  private at = 0;

  /** @param fill fills a buffer with random bytes (default: `crypto.randomFillSync`) */
  constructor(private readonly fill: (bytes: Buffer) => void = (b) => void randomFillSync(b)) {}

  /** 32 lowercase hex characters, not all zero. */
  generateTraceId(): string {
    let id: string;
    do id = this.take(32);
    while (id === ZERO_TRACE_ID);
    return id;
  }

  /** 16 lowercase hex characters, not all zero. */
  generateSpanId(): string {
    let id: string;
    do id = this.take(16);
    while (id === ZERO_SPAN_ID);
    return id;
  }

  private take(chars: number): string {
    if (this.at + chars > this.pool.length) {
      const bytes = Buffer.allocUnsafe(ID_POOL_BYTES);
      this.fill(bytes);
      this.pool = bytes.toString('hex');
      this.at = 0;
    }
    const id = this.pool.slice(this.at, this.at + chars);
    this.at += chars;
    return id;
  }
}
