import { request } from 'node:http';
import { decodeArtifact } from '../../src/artifact';
import { trainArtifact } from '../helpers/model-files';
import {
  ensureBuilt,
  eventually,
  listeningUrl,
  spawnService,
  type ServiceProcess,
} from '../helpers/service-process';
import { TempModelDir } from '../helpers/temp-model-dir';
import { DEFAULT_MODEL, send } from '../helpers/test-app';
import { readFileSync } from 'node:fs';

const BASE_ENV = { HOST: '127.0.0.1', PORT: '0', MODEL_PATH: DEFAULT_MODEL, LOG_LEVEL: 'info' };

/** Starts a POST /predict whose body is only half sent; `finish()` sends the rest. */
function halfSentPredict(url: string): {
  finish: () => void;
  response: Promise<{ status: number; body: string }>;
} {
  const body = JSON.stringify({ data: [2.1, 2.1] });
  const { hostname, port } = new URL(url);
  let finish = (): void => undefined;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        path: '/predict',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 5));
    finish = () => req.end(body.slice(5));
  });
  return { finish: () => finish(), response };
}

describe('the compiled service as a process (dist/main.js)', () => {
  const dir = new TempModelDir();
  const running: ServiceProcess[] = [];

  beforeAll(() => ensureBuilt());
  afterAll(() => {
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    dir.remove();
  });

  it('exits 1 naming every invalid variable, without a stack trace', async () => {
    const s = spawnService({
      ...BASE_ENV,
      PORT: 'eighty',
      MAX_BATCH_ROWS: '0',
      LOG_LEVEL: 'verbose',
    });
    running.push(s);
    const { code } = await s.exited;
    expect(code).toBe(1);
    const err = s.stderr();
    expect(err).toMatch(/^Invalid environment variables: /);
    for (const name of ['PORT', 'MAX_BATCH_ROWS', 'LOG_LEVEL']) expect(err).toContain(name);
    expect(err).not.toMatch(/\bat .+\(/);
  });

  it('exits 1 for one invalid variable (BODY_LIMIT) and names only it', async () => {
    const s = spawnService({ ...BASE_ENV, BODY_LIMIT: 'lots' });
    running.push(s);
    expect((await s.exited).code).toBe(1);
    expect(s.stderr()).toContain('BODY_LIMIT');
    expect(s.stderr()).not.toContain('PORT');
  });

  it('SIGTERM: readiness 503 at once, the in-flight request completes, exit 0', async () => {
    const s = spawnService({ ...BASE_ENV, SHUTDOWN_GRACE_MS: '8000' });
    running.push(s);
    const url = await listeningUrl(s);
    expect((await send(`${url}/health/ready`)).status).toBe(200);
    const inFlight = halfSentPredict(url);
    // Let the server receive the request head before the signal.
    await send(`${url}/health/live`);
    s.child.kill('SIGTERM');
    const draining = await eventually(async () => {
      const res = await send(`${url}/health/ready`);
      return res.status === 503 ? res : undefined;
    });
    expect(draining.body.error.shutdown).toEqual({ status: 'down', reason: 'shutting down' });
    expect(draining.headers.get('connection')).toBe('close');
    inFlight.finish();
    const done = await inFlight.response;
    expect(done.status).toBe(200);
    expect(JSON.parse(done.body).prediction_score).toBe(1);
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.logs.map((l) => l.msg)).toContain('shutdown: drained and closed');
  });

  it('SIGTERM with a request that never completes: exit 1 once SHUTDOWN_GRACE_MS is over', async () => {
    const s = spawnService({ ...BASE_ENV, SHUTDOWN_GRACE_MS: '600' });
    running.push(s);
    const url = await listeningUrl(s);
    const stuck = halfSentPredict(url);
    stuck.response.catch(() => undefined);
    await send(`${url}/health/live`);
    s.child.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 1, signal: null });
    expect(s.logs.map((l) => l.msg)).toContain(
      'shutdown: grace period over with requests still in flight',
    );
  });

  it('SIGHUP reloads MODEL_PATH; a bad file keeps the old model', async () => {
    const path = dir.copyDefault('sighup.json');
    const s = spawnService({ ...BASE_ENV, MODEL_PATH: path });
    running.push(s);
    const url = await listeningUrl(s);
    const before = decodeArtifact(readFileSync(DEFAULT_MODEL)).modelVersion;
    expect((await send(`${url}/model`)).body.model_version).toBe(before);

    dir.writeCorrupt('sighup.json');
    s.child.kill('SIGHUP');
    await eventually(() =>
      s.logs.find((l) => l.msg === 'model reload failed; previous model keeps serving'),
    );
    const kept = await send(`${url}/model`);
    expect(kept.body).toMatchObject({
      model_version: before,
      last_load: { ok: false, trigger: 'signal' },
    });

    dir.write('sighup.json', trainArtifact({ seed: 3, modelVersion: 'after-sighup' }));
    s.child.kill('SIGHUP');
    const swapped = await eventually(async () => {
      const res = await send(`${url}/model`);
      return res.body.model_version === 'after-sighup' ? res : undefined;
    });
    expect(swapped.body.last_load).toMatchObject({ ok: true, trigger: 'signal' });
    const predicted = await send(`${url}/predict`, {
      method: 'POST',
      body: JSON.stringify({ data: [2.1, 2.1] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(predicted.body.model_version).toBe('after-sighup');
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  });
});
