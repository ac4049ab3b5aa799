import { request } from 'node:http';
import { createServer } from 'node:net';
import { basename } from 'node:path';
import {
  docker,
  dockerAsync,
  ensureEngine,
  engineProblem,
  removeContainer,
  run,
  waitHealthy,
} from './docker';

// Real Docker engine, real image, the seed's own commands. Slow by nature (npm ci inside the
// build), so generous timeouts; everything runs once, in order.
jest.setTimeout(15 * 60_000);

const IMAGE = 'ml-anomaly-api';
const NAME = 'anomaly-service';
// Per checkout: several checkouts may run this tier on one engine at once, and a shared project
// name, image tag or host port would let one run tear down or rebuild another's stack.
const CHECKOUT = basename(process.cwd())
  .toLowerCase()
  .replace(/[^a-z0-9]/g, '');
const COMPOSE_PROJECT = `mlanomalyapitest${CHECKOUT}`;
let COMPOSE_PORT = 8001;
let COMPOSE_GATEWAY_PORT = 8081;
/** The key the compose stack shares between the service and the gateway. */
const COMPOSE_API_KEY = 'container-test-api-key-0123456789';
/** The WORKERS=2 container (a name of its own; the host port is picked by Docker). */
const WORKERS_NAME = `anomaly-service-workers-${CHECKOUT}`;

interface Outcome {
  id: string;
  status?: number;
  body?: string;
  /** 'ok': answered; 'refused': no connection or closed before any request byte was read. */
  error?: string;
}

/** One POST /predict on a fresh connection (no keep-alive, so no idle-socket races). */
function predict(port: number, data: number[], id: string, timeoutMs = 10_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ data });
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/predict',
        method: 'POST',
        agent: false,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-request-id': id,
          connection: 'close',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ id, status: res.statusCode, body: text }));
        res.on('error', (e) =>
          resolve({ id, status: res.statusCode, error: `body: ${e.message}` }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ id, error: e.code ?? e.message }));
    req.end(body);
  });
}

/** A TCP port free on the host's loopback right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function inspect(format: string, target: string): string {
  return docker(['inspect', '--format', format, target]);
}

/** Start-to-healthy as Docker saw it: container start to the end of the first passing check. */
function startToHealthyMs(container: string): number {
  const started = Date.parse(inspect('{{.State.StartedAt}}', container));
  const log = JSON.parse(inspect('{{json .State.Health.Log}}', container)) as {
    End: string;
    ExitCode: number;
  }[];
  const firstOk = log.find((l) => l.ExitCode === 0);
  if (!firstOk) throw new Error(`no passing health check for ${container}`);
  return Date.parse(firstOk.End) - started;
}

function compose(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = run('docker-compose', ['-p', COMPOSE_PROJECT, ...args], {
    env: {
      ...process.env,
      HOST_PORT: String(COMPOSE_PORT),
      GATEWAY_PORT: String(COMPOSE_GATEWAY_PORT),
      API_KEY: COMPOSE_API_KEY,
      SERVICE_IMAGE: `ml-anomaly-api:compose-${CHECKOUT}`,
      GATEWAY_IMAGE: `ml-anomaly-gateway:compose-${CHECKOUT}`,
      ...env,
    },
    timeoutMs: 10 * 60_000,
  });
  if (r.status !== 0) throw new Error(`docker-compose ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('container engine check', () => {
  it('fails with a clear message when no engine answers', () => {
    const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    expect(engineProblem(env)).toMatch(/Cannot connect|docker daemon|nonexistent/i);
    expect(() => ensureEngine(env, '/nonexistent/container-engine.sh')).toThrow(
      /Docker engine is not available: .*container-engine\.sh/s,
    );
  });
});

describe('ml-anomaly-api image', () => {
  const figures: Record<string, number> = {};

  beforeAll(() => {
    ensureEngine();
    removeContainer(NAME);
    removeContainer(WORKERS_NAME);
    compose(['down', '-v']);
    const t0 = Date.now();
    // The seed's build command, verbatim.
    const r = run('docker', ['build', '-t', IMAGE, '.'], { timeoutMs: 12 * 60_000 });
    if (r.status !== 0)
      throw new Error(`docker build failed:\n${r.stdout.slice(-3000)}\n${r.stderr}`);
    figures.buildSeconds = (Date.now() - t0) / 1000;
  });

  afterAll(() => {
    removeContainer(NAME);
    removeContainer(WORKERS_NAME);
    compose(['down', '-v']);
    console.log(`container figures: ${JSON.stringify(figures)}`);
  });

  it('is a lean image that runs as a numeric non-root user, exposes 8000, has a healthcheck', () => {
    const size = Number(inspect('{{.Size}}', IMAGE));
    figures.imageMB = Math.round(size / 1e6);
    expect(size).toBeLessThan(280e6);
    expect(inspect('{{.Config.User}}', IMAGE)).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(inspect('{{json .Config.ExposedPorts}}', IMAGE)).toContain('8000/tcp');
    expect(inspect('{{.Config.StopSignal}}', IMAGE)).toBe('SIGTERM');
    expect(inspect('{{json .Config.Healthcheck.Test}}', IMAGE)).toContain('/health');
  });

  it('runs on Node.js 24 LTS and ships no benchmark code', () => {
    expect(docker(['run', '--rm', IMAGE, 'node', '-v'])).toMatch(/^v24\.\d+\.\d+$/);
    const dist = docker(['run', '--rm', IMAGE, 'ls', '-A', 'dist']).split('\n');
    expect(dist).toEqual(expect.arrayContaining(['main.js', 'cli', 'engine']));
    expect(dist).not.toContain('bench');
    expect(dist).not.toContain('.tsbuildinfo');
  });

  it('starts with the seed docker run command, turns healthy and answers the seed requests', async () => {
    docker(['run', '-d', '--name', NAME, '-p', '8000:8000', IMAGE]);
    await waitHealthy(NAME);
    figures.startToHealthyMs = startToHealthyMs(NAME);

    const outlier = await predict(8000, [-5.5, 5.2], 'seed-outlier');
    const inlier = await predict(8000, [2.1, 2.1], 'seed-inlier');
    expect(outlier.status).toBe(200);
    expect(JSON.parse(outlier.body!).prediction_score).toBe(-1);
    expect(inlier.status).toBe(200);
    expect(JSON.parse(inlier.body!).prediction_score).toBe(1);

    expect(docker(['exec', NAME, 'id', '-u'])).not.toBe('0');
    expect(docker(['exec', NAME, 'node', '-p', 'process.getuid()'])).toBe('1000');
  });

  it('stops cleanly on docker stop: exit 0 within the grace period, no request cut', async () => {
    const outcomes: Outcome[] = [];
    let stopping = true;
    let n = 0;
    // Four clients keep sending while the container stops; each request has its own id.
    const clients = Array.from({ length: 4 }, async () => {
      while (stopping) {
        const o = await predict(8000, [2.1, 2.1], `drain-${n++}`, 5000);
        outcomes.push(o);
        if (o.error) await new Promise((r) => setTimeout(r, 20));
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await dockerAsync(['stop', NAME]);
    figures.stopMs = Date.now() - t0;
    stopping = false;
    await Promise.all(clients);

    const logs = run('docker', ['logs', NAME]).stdout;
    // On failure the service's own shutdown lines say why (e.g. requests still in flight).
    const shutdownLines = logs.split('\n').filter((l) => /shutdown|grace/.test(l));
    expect({ exitCode: inspect('{{.State.ExitCode}}', NAME), shutdownLines }).toEqual({
      exitCode: '0',
      shutdownLines: expect.arrayContaining([expect.stringContaining('drained and closed')]),
    });
    expect(inspect('{{.State.OOMKilled}}', NAME)).toBe('false');
    // docker stop escalates to SIGKILL after 10 s: a clean exit must come well before that.
    expect(figures.stopMs).toBeLessThan(10_000);

    const answered = outcomes.filter((o) => o.status !== undefined && !o.error);
    expect(answered.length).toBeGreaterThan(0);
    for (const o of answered) expect(o.status).toBe(200);
    // A request the service received must have been answered. The service logs every request
    // it completes with its id; a failed request must never appear there as received.
    const failed = outcomes.filter((o) => o.error);
    const cut = failed.filter((o) => logs.includes(`"${o.id}"`));
    expect(cut).toEqual([]);
    for (const o of answered.slice(0, 5)) expect(logs).toContain(`"${o.id}"`);
    figures.drainRequests = outcomes.length;
    figures.drainAnswered = answered.length;
    removeContainer(NAME);
  });

  it('runs under docker-compose behind the gateway: healthy, read-only, the seed through the gateway', async () => {
    // The gateway's image copies the jar Maven builds on the host.
    const jar = run('mvn', ['-B', '-q', '-f', 'gateway', 'package', '-DskipTests'], {
      timeoutMs: 10 * 60_000,
    });
    if (jar.status !== 0) throw new Error(`mvn package failed:\n${jar.stdout.slice(-3000)}`);
    [COMPOSE_PORT, COMPOSE_GATEWAY_PORT] = await Promise.all([freePort(), freePort()]);
    compose(['up', '-d', '--build']);
    const id = compose(['ps', '-q', 'anomaly-service']);
    const gw = compose(['ps', '-q', 'gateway']);
    await waitHealthy(id);
    figures.composeStartToHealthyMs = startToHealthyMs(id);
    await waitHealthy(gw, 180_000);
    figures.composeGatewayStartToHealthyMs = startToHealthyMs(gw);

    expect(inspect('{{.HostConfig.ReadonlyRootfs}}', id)).toBe('true');
    expect(inspect('{{.HostConfig.Init}}', id)).toBe('true');
    expect(Number(inspect('{{.HostConfig.Memory}}', id))).toBeGreaterThan(0);
    const touch = run('docker', ['exec', id, 'sh', '-c', 'touch /app/written 2>&1; echo $?']);
    expect(touch.stdout).toMatch(/Read-only file system/);
    expect(docker(['exec', id, 'id', '-u'])).not.toBe('0');
    expect(inspect('{{.HostConfig.ReadonlyRootfs}}', gw)).toBe('true');
    expect(docker(['exec', gw, 'id', '-u'])).toBe('10001');

    // The service is published on the host's loopback only, and wants the key the gateway holds.
    const bindings = JSON.parse(inspect('{{json .HostConfig.PortBindings}}', id)) as Record<
      string,
      { HostIp: string }[]
    >;
    expect(bindings['8000/tcp'].map((b) => b.HostIp)).toEqual(['127.0.0.1']);
    const direct = await predict(COMPOSE_PORT, [2.1, 2.1], 'compose-direct');
    expect(direct.status).toBe(401);

    // The seed's two examples, through the gateway.
    const viaGateway = async (metrics: Record<string, number>, reqId: string) => {
      const res = await fetch(`http://127.0.0.1:${COMPOSE_GATEWAY_PORT}/api/v1/anomalies`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': reqId },
        body: JSON.stringify(metrics),
      });
      const body = (await res.json()) as { prediction_score?: number };
      return { status: res.status, reqId: res.headers.get('x-request-id'), body };
    };
    const outlier = await viaGateway({ cpu_usage: -5.5, memory_load: 5.2 }, 'compose-outlier');
    expect(outlier).toMatchObject({ status: 200, reqId: 'compose-outlier' });
    expect(outlier.body.prediction_score).toBe(-1);
    const inlier = await viaGateway({ cpu_usage: 2.1, memory_load: 2.1 }, 'compose-inlier');
    expect(inlier.body.prediction_score).toBe(1);
    expect(JSON.stringify([outlier, inlier])).not.toContain(COMPOSE_API_KEY);
    // The service saw the gateway's calls under the same request ids (its log lines are
    // written in batches, at most a second late).
    let serviceLogs = '';
    for (let i = 0; i < 50 && !serviceLogs.includes('"reqId":"compose-outlier"'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      serviceLogs = docker(['logs', id]);
    }
    expect(serviceLogs).toContain('"reqId":"compose-outlier"');

    compose(['down', '-v']);
    expect(run('docker', ['inspect', id]).status).not.toBe(0);
  });

  it('runs with WORKERS=2: a primary and two workers, both serve, ready, docker stop exits 0', async () => {
    docker([
      'run',
      '-d',
      '--name',
      WORKERS_NAME,
      '-e',
      'WORKERS=2',
      '-p',
      '127.0.0.1::8000',
      IMAGE,
    ]);
    await waitHealthy(WORKERS_NAME);
    figures.workersStartToHealthyMs = startToHealthyMs(WORKERS_NAME);
    const port = Number(/:(\d+)\s*$/m.exec(docker(['port', WORKERS_NAME, '8000']))![1]);
    // Readiness waits for both workers.
    let ready: { status: number; body: { details: { workers?: unknown } } } | undefined;
    for (let i = 0; i < 100 && ready?.status !== 200; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      ready = { status: res.status, body: (await res.json()) as never };
      if (res.status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready?.body.details.workers).toEqual({ status: 'up', serving: 2, size: 2 });
    // PID 1 is the primary, with two node workers under it.
    const processes = docker(['top', WORKERS_NAME, '-o', 'pid,ppid,args']).split('\n').slice(1);
    expect(processes.filter((l) => /dist\/main\.js/.test(l))).toHaveLength(3);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 16; i++) {
      outcomes.push(await predict(port, i % 2 ? [2.1, 2.1] : [-5.5, 5.2], `workers-${i}`));
    }
    for (const [i, o] of outcomes.entries()) {
      expect(JSON.parse(o.body!).prediction_score).toBe(i % 2 ? 1 : -1);
    }
    docker(['stop', WORKERS_NAME], 60_000);
    expect(inspect('{{.State.ExitCode}}', WORKERS_NAME)).toBe('0');
    const lines = run('docker', ['logs', WORKERS_NAME])
      .stdout.split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const servedBy = new Set(
      lines.filter((l) => String(l.reqId).startsWith('workers-')).map((l) => l.pid),
    );
    expect(servedBy.size).toBe(2);
    expect(lines.find((l) => l.msg === 'shutdown: every worker exited')).toMatchObject({
      exitCodes: [0, 0],
    });
    removeContainer(WORKERS_NAME);
  });
});
