import autocannon from 'autocannon';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * What every `npm run bench:*` script shares: its command-line numbers, the statistics it
 * reports, and the service processes it starts and reads on 127.0.0.1.
 */

/** The only address benchmarks load: load tests stay on this machine. */
export const BENCH_HOST = '127.0.0.1';

/** `--name <number>` from the command line: positive and at most `max`, else `fallback`. */
export function benchArg(name: string, fallback: number, max: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? Math.min(v, max) : fallback;
}

/** The median of `values` (the mean of the middle two for an even count; NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The `p`th percentile (nearest rank) of an ascending array; NaN for an empty one. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)];
}

/** A TCP port free on `host` right now. */
export function freePort(host = BENCH_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx, failing early once `alive()` turns false. */
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

/** A service process a benchmark started. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
}

/**
 * Starts the compiled service (`dist/main.js`) on a free port of {@link BENCH_HOST} with `env`
 * (besides PATH, HOST and PORT; nothing else is inherited), its output discarded but for
 * stderr, and waits until `readyPath` answers 2xx.
 */
export async function startService(
  env: Readonly<Record<string, string>>,
  readyPath = '/health/ready',
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = fork(join(__dirname, '..', 'main.js'), [], {
    env: { PATH: process.env.PATH ?? '', HOST: BENCH_HOST, PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const base = `http://${BENCH_HOST}:${port}`;
  try {
    await waitReady(`${base}${readyPath}`, () => child.exitCode === null);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, port, base };
}

/** Stops a service with SIGTERM and resolves once it exited. */
export function stopService(service: { readonly child: ChildProcess }): Promise<void> {
  return new Promise((resolve) => {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      resolve();
      return;
    }
    service.child.once('exit', () => resolve());
    service.child.kill('SIGTERM');
  });
}

/** User + system CPU milliseconds of `pid` so far (Linux /proc, ticks of 10 ms), or NaN. */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * Where a benchmark that pins runs its load and its servers: the first and the last CPU this
 * process may use (taskset, util-linux), or undefined with fewer than two CPUs or no taskset.
 */
export function cpuPlan(): { readonly load: string; readonly service: string } | undefined {
  const out = spawnSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' });
  if (out.status !== 0) return undefined;
  // "pid 123's current affinity list: 0-3,6"
  const list = out.stdout.split(':').pop()?.trim() ?? '';
  const cpus = list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Number.isInteger(from) && Number.isInteger(to) && to >= from
      ? Array.from({ length: to - from + 1 }, (_, i) => from + i)
      : [];
  });
  if (cpus.length < 2) return undefined;
  return { load: String(cpus[0]), service: String(cpus[cpus.length - 1]) };
}

/** Pins every thread of `pid`, and the threads it starts later, to `cpus` (taskset's syntax). */
export function pinProcess(pid: number | undefined, cpus: string): void {
  const out = spawnSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' });
  if (out.status !== 0) throw new Error(`taskset could not pin process ${pid} to CPU ${cpus}`);
}

/** Resident set size of `pid` in MiB (Linux /proc), or NaN. */
export function rssMiB(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * `n` deterministic rows like the default model's training data (two clusters around (2, 2)
 * and (-2, -2)), every tenth one scattered over [-6, 6)^2: the rows the HTTP benchmarks send.
 */
export function benchRows(n: number): number[][] {
  let a = 12345;
  const rand = (): number => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 4294967296;
  };
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (i % 10 === 9) rows.push([rand() * 12 - 6, rand() * 12 - 6]);
    else {
      const c = i % 2 === 0 ? 2 : -2;
      rows.push([c + rand() - 0.5, c + rand() - 0.5]);
    }
  }
  return rows;
}

/** What {@link postLoad} measured. */
export interface PostLoadResult {
  /** 200 answers per second. */
  readonly rps: number;
  /** 200 answers. */
  readonly ok: number;
  /** Other answers, connection errors and timeouts. */
  readonly failures: number;
  /** The server's CPU milliseconds per 200 answer (`pid`), or NaN without /proc or answers. */
  readonly cpuMsPerRequest: number;
}

/**
 * `connections` autocannon clients POST JSON to `url` for `durationS` seconds, the bodies in
 * turn; counts the answers and, with `pid`, the server process's CPU time over the run.
 */
export function postLoad(options: {
  readonly url: string;
  readonly bodies: readonly string[];
  readonly connections: number;
  readonly durationS: number;
  readonly pid?: number;
}): Promise<PostLoadResult> {
  const { bodies, durationS } = options;
  let k = 0;
  let ok = 0;
  let failures = 0;
  const before = cpuMs(options.pid);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections: options.connections,
        duration: durationS,
        // One body goes as is; several are sent in turn.
        ...(bodies.length === 1
          ? { body: bodies[0] }
          : {
              requests: [
                {
                  setupRequest: (req: Record<string, unknown>) => ({
                    ...req,
                    body: bodies[k++ % bodies.length],
                  }),
                },
              ],
            }),
      },
      (err, result) => {
        if (err) {
          reject(err);
          return;
        }
        resolve({
          rps: ok / durationS,
          ok,
          // Connection errors and timeouts give no response event.
          failures: failures + result.errors + result.timeouts,
          cpuMsPerRequest: ok === 0 ? NaN : (cpuMs(options.pid) - before) / ok,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number) => {
      if (status === 200) ok++;
      else failures++;
    });
  });
}
