import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one wrk run measured. */
export interface WrkResult {
  readonly requests: number;
  readonly rps: number;
  /** Latency percentiles in milliseconds (wrk --latency). */
  readonly p50: number;
  readonly p99: number;
  /** Non-2xx responses plus socket errors (connect, read, write, timeout). */
  readonly failures: number;
}

/** True when the `wrk` binary (Debian package `wrk`) is on PATH. */
export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latencyMs(text: string, percentile: string): number {
  const m = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : NaN;
}

/** Parses wrk's report (with `--latency`). */
export function parseWrk(text: string, durationS: number): WrkResult {
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? requests / durationS);
  return {
    requests,
    rps,
    p50: latencyMs(text, '50'),
    p99: latencyMs(text, '99'),
    failures: non2xx + socketErrors,
  };
}

/**
 * Runs wrk against `url` (POST `body` as JSON) with `connections` keep-alive connections over
 * `threads` threads for `durationS` seconds.
 */
export async function runWrk(options: {
  readonly url: string;
  readonly body: string;
  readonly connections: number;
  readonly durationS: number;
  readonly threads: number;
  /** Extra request headers (Content-Type is always JSON). */
  readonly headers?: Readonly<Record<string, string>>;
  /** CPUs (taskset's list syntax) wrk runs on; anywhere when absent. */
  readonly cpus?: string;
}): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const script = join(dir, 'post.lua');
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      'wrk.headers["Content-Type"] = "application/json"',
      ...Object.entries(options.headers ?? {}).map(
        ([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`,
      ),
      `wrk.body = ${JSON.stringify(options.body)}`,
      '',
    ].join('\n'),
  );
  try {
    const text = await new Promise<string>((resolve, reject) => {
      const wrk = [
        'wrk',
        `-t${Math.min(options.threads, options.connections)}`,
        `-c${options.connections}`,
        `-d${options.durationS}s`,
        '--latency',
        '--timeout',
        '10s',
        '-s',
        script,
        options.url,
      ];
      const [command, ...args] =
        options.cpus === undefined ? wrk : ['taskset', '-c', options.cpus, ...wrk];
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}: ${out}`)),
      );
    });
    return parseWrk(text, options.durationS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
