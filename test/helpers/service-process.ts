import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** The compiled entry point the process tests run. */
export const MAIN_JS = 'dist/main.js';

/** Compiles `dist/` when it is missing (`npm test` builds before jest; `npx jest` may not). */
export function ensureBuilt(): void {
  if (existsSync(MAIN_JS)) return;
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

/** `node dist/main.js` as a child process, with its output collected. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** stdout lines parsed as JSON (non-JSON lines are skipped). */
  readonly logs: Record<string, unknown>[];
  readonly stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns the service with `env` (plus PATH) and no inherited variables: `node dist/main.js`, or
 * `node ARGS` (e.g. the bin's `serve` command).
 */
export function spawnService(
  env: Record<string, string>,
  args: readonly string[] = [MAIN_JS],
): ServiceProcess {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs, stderr: () => stderr, exited };
}

/** Polls `check` every 50 ms until it returns a value (or throws after `attempts`). */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  attempts = 200,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

/** Waits for the "listening" line and returns the base URL. */
export async function listeningUrl(service: ServiceProcess): Promise<string> {
  const line = await eventually(() => service.logs.find((l) => typeof l.port === 'number'));
  return `http://127.0.0.1:${line.port as number}`;
}
