import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Repository root (the Docker build context). */
export const ROOT = join(__dirname, '..', '..');

/** The shared tool that installs and starts a Docker engine with offline base images. */
export const ENGINE_SCRIPT = join(ROOT, '..', 'shared', 'tools', 'container-engine.sh');

/** Runs a command synchronously, capturing output. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    env: opts.env ?? process.env,
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Runs `docker ARGS`, throwing with its stderr when it fails. */
export function docker(args: string[], timeoutMs = 120_000): string {
  const r = run('docker', args, { timeoutMs });
  if (r.status !== 0) {
    throw new Error(
      `docker ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`,
    );
  }
  return r.stdout.trim();
}

/**
 * Runs `docker ARGS` without blocking the event loop, so clients in this process keep sending
 * while it runs (a spawnSync would freeze them mid-request and hold their connections open).
 */
export function dockerAsync(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(out.trim())
        : reject(new Error(`docker ${args.join(' ')} failed (${code}): ${err}`)),
    );
  });
}

/** Why the Docker engine cannot be used, or null when `docker info` answers. */
export function engineProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  const r = run('docker', ['info', '--format', '{{.ServerVersion}}'], { env, timeoutMs: 20_000 });
  if (r.error) return `the docker client could not run (${r.error.message})`;
  if (r.status !== 0) return (r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.status}`;
  return null;
}

/**
 * Makes sure a Docker engine answers, starting one with the shared tool when needed (idempotent).
 * Throws an error that says what failed and how to fix it when no engine can be had.
 */
export function ensureEngine(
  env: NodeJS.ProcessEnv = process.env,
  script: string = ENGINE_SCRIPT,
): void {
  let problem = engineProblem(env);
  if (problem === null) return;
  if (existsSync(script)) {
    const r = run('bash', [script], { env, timeoutMs: 15 * 60_000 });
    problem = engineProblem(env);
    if (problem === null) return;
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(
      `Docker engine could not be started: ${problem}\n${script} exited ${r.status}:\n${tail}`,
    );
  }
  throw new Error(
    `Docker engine is not available: ${problem}. Start dockerd, or run ${script} ` +
      '(installs Debian docker.io and builds offline base images; needs root and apt).',
  );
}

/** Polls `docker inspect` until the container's health is `healthy`; returns the elapsed ms. */
export async function waitHealthy(container: string, timeoutMs = 90_000): Promise<number> {
  const start = Date.now();
  let last = '';
  while (Date.now() - start < timeoutMs) {
    last = docker(['inspect', '--format', '{{.State.Status}} {{.State.Health.Status}}', container]);
    if (last.endsWith(' healthy')) return Date.now() - start;
    if (last.startsWith('exited') || last.startsWith('dead')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const logs = run('docker', ['logs', '--tail', '30', container]);
  throw new Error(`${container} is not healthy (${last}); logs:\n${logs.stdout}${logs.stderr}`);
}

/** Removes a container if it exists (left over from an interrupted run). */
export function removeContainer(name: string): void {
  run('docker', ['rm', '-f', '-v', name], { timeoutMs: 60_000 });
}
