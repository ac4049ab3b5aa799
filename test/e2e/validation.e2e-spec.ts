import { gzipSync } from 'node:zlib';
import { send, startTestApp, type TestApp, type TestResponse } from '../helpers/test-app';

/** One malformed request and what the service must answer. */
interface Case {
  readonly name: string;
  readonly path?: string;
  readonly method?: string;
  /** Raw body (strings are sent verbatim, so malformed JSON stays malformed). */
  readonly body?: string | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly status: number;
  /** Expected `errors[].field` values, for validation failures. */
  readonly fields?: readonly string[];
  readonly type?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const VALIDATION = 'urn:ml-anomaly-api:problem:validation-error';

const j = (value: unknown): string => JSON.stringify(value);

const CASES: readonly Case[] = [
  // Body syntax, media type, size.
  {
    name: 'truncated JSON',
    body: '{"data":[1,2]',
    status: 400,
    type: 'urn:ml-anomaly-api:problem:malformed-json',
  },
  {
    name: 'NaN literal',
    body: '{"data":[NaN,1]}',
    status: 400,
    type: 'urn:ml-anomaly-api:problem:malformed-json',
  },
  {
    name: 'trailing garbage',
    body: '{"data":[1,2]} x',
    status: 400,
    type: 'urn:ml-anomaly-api:problem:malformed-json',
  },
  {
    name: 'single quotes',
    body: "{'data':[1,2]}",
    status: 400,
    type: 'urn:ml-anomaly-api:problem:malformed-json',
  },
  {
    name: 'text/plain body',
    body: j({ data: [1, 2] }),
    headers: { 'content-type': 'text/plain' },
    status: 415,
  },
  {
    name: 'form body',
    body: 'data=1&data=2',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
  },
  {
    name: 'no content type',
    body: j({ data: [1, 2] }),
    headers: { 'content-type': '' },
    status: 415,
  },
  {
    name: 'gzip-encoded body',
    body: gzipSync(j({ data: [1, 2] })),
    headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' },
    status: 415,
  },
  {
    name: 'latin1 charset',
    body: j({ data: [1, 2] }),
    headers: { 'content-type': 'application/json; charset=latin1' },
    status: 415,
  },
  { name: 'body over BODY_LIMIT', body: j({ data: [1, 2], pad: 'x'.repeat(70_000) }), status: 413 },
  // Not an object.
  { name: 'empty body', body: '', status: 400, fields: ['body'] },
  { name: 'null body', body: 'null', status: 400, fields: ['body'] },
  { name: 'array body', body: '[-5.5, 5.2]', status: 400, fields: ['body'] },
  { name: 'string body', body: '"-5.5,5.2"', status: 400, fields: ['body'] },
  { name: 'number body', body: '42', status: 400, fields: ['body'] },
  // Shape of data / features.
  { name: 'neither data nor features', body: j({}), status: 400, fields: ['data'] },
  {
    name: 'both data and features',
    body: j({ data: [1, 2], features: { cpu_usage: 1, memory_load: 2 } }),
    status: 400,
    fields: ['features'],
  },
  { name: 'unknown property', body: j({ data: [1, 2], extra: 1 }), status: 400, fields: ['extra'] },
  {
    name: '__proto__ property',
    body: '{"__proto__":{"data":[1,2]},"data":[1,2]}',
    status: 400,
    fields: ['__proto__'],
  },
  {
    name: 'constructor property',
    body: j({ constructor: 1, data: [1, 2] }),
    status: 400,
    fields: ['constructor'],
  },
  { name: 'data is null', body: j({ data: null }), status: 400, fields: ['data'] },
  { name: 'data is a string', body: j({ data: '1,2' }), status: 400, fields: ['data'] },
  { name: 'data is an object', body: j({ data: { 0: 1, 1: 2 } }), status: 400, fields: ['data'] },
  { name: 'data is empty', body: j({ data: [] }), status: 400, fields: ['data'] },
  { name: 'too few features', body: j({ data: [1] }), status: 400, fields: ['data'] },
  { name: 'too many features', body: j({ data: [1, 2, 3] }), status: 400, fields: ['data'] },
  { name: 'string value', body: j({ data: ['1', 2] }), status: 400, fields: ['data[0]'] },
  { name: 'null value', body: j({ data: [1, null] }), status: 400, fields: ['data[1]'] },
  { name: 'boolean value', body: j({ data: [true, 2] }), status: 400, fields: ['data[0]'] },
  { name: 'nested array value', body: j({ data: [[1], 2] }), status: 400, fields: ['data[0]'] },
  { name: 'object value', body: j({ data: [1, { v: 2 }] }), status: 400, fields: ['data[1]'] },
  {
    name: '1e400 (parses to Infinity)',
    body: '{"data":[1e400,2]}',
    status: 400,
    fields: ['data[0]'],
  },
  {
    name: '-1e400 (parses to -Infinity)',
    body: '{"data":[1,-1e400]}',
    status: 400,
    fields: ['data[1]'],
  },
  { name: 'float32 overflow', body: '{"data":[1,3.5e38]}', status: 400, fields: ['data[1]'] },
  {
    name: 'features is an array',
    body: j({ features: [1, 2] }),
    status: 400,
    fields: ['features'],
  },
  { name: 'features is empty', body: j({ features: {} }), status: 400, fields: ['features'] },
  {
    name: 'missing feature',
    body: j({ features: { cpu_usage: 1 } }),
    status: 400,
    fields: ['features.memory_load'],
  },
  {
    name: 'unknown feature',
    body: j({ features: { cpu_usage: 1, memory_load: 2, disk_io: 3 } }),
    status: 400,
    fields: ['features.disk_io'],
  },
  {
    name: 'string feature value',
    body: j({ features: { cpu_usage: 1, memory_load: '2' } }),
    status: 400,
    fields: ['features.memory_load'],
  },
  {
    name: 'odd feature name',
    body: j({ features: { cpu_usage: 1, memory_load: 2, 'a b': 3 } }),
    status: 400,
    fields: ['features["a b"]'],
  },
  // Batch.
  {
    name: 'batch: flat array',
    path: '/predict/batch',
    body: j({ data: [1, 2] }),
    status: 400,
    fields: ['data[0]'],
  },
  {
    name: 'batch: no rows',
    path: '/predict/batch',
    body: j({ data: [] }),
    status: 400,
    fields: ['data'],
  },
  {
    name: 'batch: ragged rows',
    path: '/predict/batch',
    body: j({ data: [[1, 2], [1]] }),
    status: 400,
    fields: ['data[1]'],
  },
  {
    name: 'batch: string cell',
    path: '/predict/batch',
    body: j({
      data: [
        [1, 2],
        [1, 'x'],
      ],
    }),
    status: 400,
    fields: ['data[1][1]'],
  },
  {
    name: 'batch: wrong width',
    path: '/predict/batch',
    body: j({ data: [[1, 2, 3]] }),
    status: 400,
    fields: ['data[0]'],
  },
  {
    name: 'batch: unknown property',
    path: '/predict/batch',
    body: j({ data: [[1, 2]], ids: [1] }),
    status: 400,
    fields: ['ids'],
  },
  {
    name: 'batch: data missing',
    path: '/predict/batch',
    body: j({ rows: [[1, 2]] }),
    status: 400,
    fields: ['rows', 'data'],
  },
  {
    name: 'batch: infinite cell',
    path: '/predict/batch',
    body: '{"data":[[1,2],[1e999,2]]}',
    status: 400,
    fields: ['data[1][0]'],
  },
  // Routes.
  { name: 'unknown route', path: '/predictions', body: j({ data: [1, 2] }), status: 404 },
  { name: 'wrong method', path: '/predict', method: 'GET', status: 404 },
  { name: 'reload without ADMIN_TOKEN', path: '/model/reload', status: 404 },
];

/** Things that must never reach a client. */
const LEAKS = [
  /node_modules/,
  /\/work\//,
  /[\\/]src[\\/]/,
  /\bat [\w.<>]+ \(/,
  /SyntaxError/,
  /Unexpected token/,
  /in JSON at position/,
  /class-validator|class-transformer|body-parser/,
  /"stack"/,
];

describe('validation matrix: every malformed request gets a problem+json answer (real server)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT: '64kb' });
  });
  afterAll(() => t.close());

  it('has at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const path = c.path ?? '/predict';
    const requestId = `matrix-${Math.random().toString(36).slice(2)}`;
    const headers: Record<string, string> = {
      ...(c.body === undefined ? {} : JSON_HEADERS),
      ...c.headers,
      'x-request-id': requestId,
    };
    if (headers['content-type'] === '') delete headers['content-type'];
    const res: TestResponse = await send(`${t.url}${path}`, {
      method: c.method ?? 'POST',
      body: c.body,
      headers,
    });
    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toMatchObject({
      status: c.status,
      instance: path,
      request_id: requestId,
    });
    expect(typeof res.body.type).toBe('string');
    expect(typeof res.body.title).toBe('string');
    expect(typeof res.body.detail).toBe('string');
    if (c.type) expect(res.body.type).toBe(c.type);
    if (c.fields) {
      expect(res.body.type).toBe(VALIDATION);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(c.fields);
      for (const e of res.body.errors) expect(e.message.length).toBeGreaterThan(0);
    } else {
      expect(res.body.errors).toBeUndefined();
    }
    for (const leak of LEAKS) expect(res.text).not.toMatch(leak);
  });

  it('keeps serving correctly after all of them', async () => {
    const res = await send(`${t.url}/predict`, {
      method: 'POST',
      body: j({ data: [-5.5, 5.2] }),
      headers: JSON_HEADERS,
    });
    expect(res.status).toBe(200);
    expect(res.body.prediction_score).toBe(-1);
  });
});
