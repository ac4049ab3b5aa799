import { postJson, send, startTestApp, type TestApp } from '../helpers/test-app';

const API_KEY = 'api-key-for-e2e-tests-0123456789';
const ADMIN_TOKEN = 'admin-token-for-e2e-tests-0123456789';

describe('API key and admin token (real server)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ API_KEY, ADMIN_TOKEN });
  });
  afterAll(() => t.close());

  it.each([
    ['no key', {}],
    ['an empty key', { 'x-api-key': '' }],
    ['a wrong key', { 'x-api-key': `${API_KEY}x` }],
    ['a prefix of the key', { 'x-api-key': API_KEY.slice(0, 10) }],
  ])('refuses /predict with %s: 401 problem with WWW-Authenticate', async (_name, headers) => {
    const res = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] }, headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.headers.get('www-authenticate')).toMatch(/^ApiKey /);
    expect(res.body).toMatchObject({
      status: 401,
      type: 'urn:ml-anomaly-api:problem:unauthorized',
    });
    expect(res.text).not.toContain(API_KEY.slice(0, 10));
  });

  it('serves /predict, /predict/batch and GET /model with the right key', async () => {
    const key = { 'x-api-key': API_KEY };
    expect((await postJson(`${t.url}/predict`, { data: [2.1, 2.1] }, key)).status).toBe(200);
    expect((await postJson(`${t.url}/predict/batch`, { data: [[2.1, 2.1]] }, key)).status).toBe(
      200,
    );
    expect((await send(`${t.url}/model`, { headers: key })).status).toBe(200);
    expect((await send(`${t.url}/model`)).status).toBe(401);
    expect((await postJson(`${t.url}/predict/batch`, { data: [[2.1, 2.1]] })).status).toBe(401);
  });

  it('leaves probes, metrics and docs open', async () => {
    for (const path of ['/health', '/health/live', '/health/ready', '/metrics', '/docs-json']) {
      expect([path, (await send(`${t.url}${path}`)).status]).toEqual([path, 200]);
    }
  });

  it('requires the admin bearer token (and only it) for POST /model/reload', async () => {
    const none = await send(`${t.url}/model/reload`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY },
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const wrong = await send(`${t.url}/model/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    const basic = await send(`${t.url}/model/reload`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`a:${ADMIN_TOKEN}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    const ok = await send(`${t.url}/model/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('reloaded');
  });
});

describe('without API_KEY and ADMIN_TOKEN (real server)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves predictions and metadata without credentials', async () => {
    expect((await postJson(`${t.url}/predict`, { data: [2.1, 2.1] })).status).toBe(200);
    expect((await send(`${t.url}/model`)).status).toBe(200);
  });

  it('hides POST /model/reload: 404, exactly like an unknown route, even with a token', async () => {
    const reload = await send(`${t.url}/model/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const unknown = await send(`${t.url}/model/unload`, { method: 'POST' });
    expect(reload.status).toBe(404);
    expect(unknown.status).toBe(404);
    const strip = (b: Record<string, unknown>) => ({
      ...b,
      instance: undefined,
      request_id: undefined,
    });
    expect(strip(reload.body)).toEqual(strip(unknown.body));
  });
});

describe('rate limiting (real server)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });
  });
  afterAll(() => t.close());

  it('answers 429 problem+json with Retry-After once a client spends its budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
      statuses.push(res.status);
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
    }
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await postJson(`${t.url}/predict`, { data: [2.1, 2.1] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    // The budget is per client across routes, and probes are never limited.
    expect((await send(`${t.url}/model`)).status).toBe(429);
    for (let i = 0; i < 5; i++) expect((await send(`${t.url}/health/ready`)).status).toBe(200);
    expect((await send(`${t.url}/metrics`)).status).toBe(200);
  });
});
