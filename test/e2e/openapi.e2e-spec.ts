import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { send, startTestApp, type JsonBody, type TestApp } from '../helpers/test-app';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The official OpenAPI 3.0 schema is draft-04: turn its root `id` into `$id` and its one boolean
 * `exclusiveMinimum` into the draft-07 numeric form, which ajv validates.
 */
function draft07(node: Json): Json {
  if (Array.isArray(node)) return node.map(draft07);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema') continue;
    if (k === 'id' && typeof v === 'string') out.$id = v;
    else out[k] = draft07(v);
  }
  if (out.exclusiveMinimum === true && typeof out.minimum === 'number') {
    out.exclusiveMinimum = out.minimum;
    delete out.minimum;
  }
  return out;
}

/** Every `$ref` string in `node`. */
function refs(node: Json, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, found));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else refs(v, found);
    }
  }
  return found;
}

describe('OpenAPI document (real server)', () => {
  let t: TestApp;
  let served: JsonBody;
  const committed = JSON.parse(readFileSync('openapi.json', 'utf8'));

  beforeAll(async () => {
    t = await startTestApp();
    const res = await send(`${t.url}/docs-json`);
    expect(res.status).toBe(200);
    served = res.body;
  });
  afterAll(() => t.close());

  it('is what openapi.json commits (run `npm run openapi:generate` after changing the API)', () => {
    expect(served).toEqual(committed);
  });

  it('is a valid OpenAPI 3.0 document (official schema)', () => {
    const schema = draft07(
      JSON.parse(readFileSync('test/fixtures/openapi/oas-3.0.schema.json', 'utf8')),
    );
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema as object);
    const ok = validate(served);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('resolves every $ref and gives every operation a unique id', () => {
    for (const ref of refs(served)) {
      const path = ref.replace(/^#\//, '').split('/');
      let node: JsonBody = served;
      for (const part of path) node = node?.[part];
      expect([ref, node === undefined]).toEqual([ref, false]);
    }
    const ids: string[] = [];
    for (const ops of Object.values<JsonBody>(served.paths)) {
      for (const op of Object.values<JsonBody>(ops)) ids.push(op.operationId);
    }
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        'predict',
        'predictBatch',
        'getModel',
        'reloadModel',
        'health',
        'liveness',
        'readiness',
        'metrics',
      ]),
    );
  });

  it("documents the seed's two requests as examples and the errors as problem+json", () => {
    const predict = served.paths['/predict'].post;
    const examples = Object.values<JsonBody>(
      predict.requestBody.content['application/json'].examples,
    );
    expect(examples.map((e) => e.value)).toEqual(
      expect.arrayContaining([{ data: [-5.5, 5.2] }, { data: [2.1, 2.1] }]),
    );
    for (const status of ['400', '401', '413', '415', '429', '500', '503']) {
      expect(predict.responses[status].content['application/problem+json'].schema).toEqual({
        $ref: '#/components/schemas/ProblemDetailsDto',
      });
    }
    expect(predict.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/PredictResponseDto',
    });
    const problem = served.components.schemas.ProblemDetailsDto;
    expect(problem.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'request_id']),
    );
    expect(served.components.schemas.PredictBatchRequestDto.properties.data.maxItems).toBe(10_000);
  });

  it('serves Swagger UI under a CSP it works with (external scripts only, same-origin assets)', async () => {
    const page = await send(`${t.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toMatch(/src=/);
    for (const m of page.text.matchAll(/<script[^>]*src=["']([^"']+)["']/g)) {
      const src = new URL(m[1], `${t.url}/docs`).toString();
      expect(src.startsWith(t.url)).toBe(true);
      expect([src, (await send(src)).status]).toEqual([src, 200]);
    }
  });
});
