import autocannon from 'autocannon';
import { createServer } from 'node:net';

/** Latency and throughput of one load case. */
export interface LoadResult {
  readonly rps: number;
  /** Exact percentiles over every 200 response, in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly failures: number;
}

/** One POST load case against `url`: `connections` clients for `duration` seconds. */
export function loadRun(
  url: string,
  body: string,
  headers: Record<string, string>,
  connections: number,
  duration: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        connections,
        duration,
      },
      (err, result) => {
        if (err) {
          reject(err);
          return;
        }
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          rps: sorted.length / duration,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          requests: sorted.length,
          failures: failures + result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status === 200) latencies.push(ms);
      else failures++;
    });
  });
}

/** The `p`th percentile (nearest rank) of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)];
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A TCP port free on `host` right now. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx, failing early if `alive()` turns false. */
export async function waitReady(url: string, alive: () => boolean, tries = 1200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (!alive()) throw new Error(`${url}: the server exited`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}
