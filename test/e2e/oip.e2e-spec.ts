// The Open Inference Protocol (v2) REST API of a real server with MODEL_PATH: the spec's paths,
// fields and status codes, answers equal to /predict's, and the contract of every error case
// (status, a body that is exactly {"error": "<message>"}, no leaked internals).
import { readFileSync } from 'node:fs';
import { decodeArtifact } from '../../src/artifact';
import { clusteredRows } from '../helpers/model-files';
import {
  DEFAULT_MODEL,
  postJson,
  send,
  startTestApp,
  type TestApp,
  type TestResponse,
} from '../helpers/test-app';

const INFER = '/v2/models/anomaly-detector/infer';
const ARTIFACT_VERSION = decodeArtifact(readFileSync(DEFAULT_MODEL)).modelVersion;

/** Rows as /predict/batch takes them: the seed's two and 30 clustered ones. */
const ROWS: number[][] = [
  [-5.5, 5.2],
  [2.1, 2.1],
  ...(() => {
    const x = clusteredRows(30, 2, 5);
    return Array.from({ length: 30 }, (_, i) => [x.data[2 * i], x.data[2 * i + 1]]);
  })(),
];

interface Prediction {
  prediction_score: number;
  anomaly_score: number;
  decision_function: number;
  anomaly_percentile: number | null;
}

/** /predict/batch's answers for `rows`, as the OIP outputs a default request gets. */
async function expectedOutputs(url: string, rows: number[][]): Promise<Record<string, number[]>> {
  const res = await postJson(`${url}/predict/batch`, { data: rows });
  expect(res.status).toBe(200);
  const p = res.body.predictions as Prediction[];
  return {
    predict: p.map((r) => r.prediction_score),
    score_samples: p.map((r) => -r.anomaly_score),
    decision_function: p.map((r) => r.decision_function),
    anomaly_score: p.map((r) => r.anomaly_score),
    // The default model carries a training reference, so its percentile is an output too.
    anomaly_percentile: p.map((r) => r.anomaly_percentile as number),
  };
}

function outputsOf(res: TestResponse): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const o of res.body.outputs as { name: string; data: number[] }[]) out[o.name] = o.data;
  return out;
}

/** Asserts the spec's error contract: status, exactly {"error": string}, nothing internal. */
function expectOipError(res: TestResponse, status: number, message: RegExp | string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body as object)).toEqual(['error']);
  expect(typeof res.body.error).toBe('string');
  if (typeof message === 'string') expect(res.body.error).toBe(message);
  else expect(res.body.error).toMatch(message);
  expect(res.text).not.toMatch(
    /\bat \S+ \(|node_modules|\/work\/|\/tmp\/|Error:|TypeError|\.ts:\d/,
  );
}

function tensor(
  data: unknown,
  shape: unknown = [Array.isArray(data) ? data.length / 2 : 1, 2],
  datatype: unknown = 'FP64',
): Record<string, unknown> {
  return { name: 'input', shape, datatype, data };
}

/** The body of the binary tensor data extension: JSON header, then the raw tensor. */
function binaryBody(
  json: object,
  raw: Uint8Array,
): { body: Uint8Array; headers: Record<string, string> } {
  const header = Buffer.from(JSON.stringify(json));
  return {
    body: Buffer.concat([header, raw]),
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(header.length),
    },
  };
}

describe('Open Inference Protocol v2 (real server, MODEL_PATH)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MAX_BATCH_ROWS: '64', BODY_LIMIT: '4kb' });
  });
  afterAll(() => t.close());

  it('server metadata, live and ready', async () => {
    const meta = await send(`${t.url}/v2`);
    expect(meta.status).toBe(200);
    expect(meta.body).toEqual({
      name: 'ml-anomaly-api',
      version: JSON.parse(readFileSync('package.json', 'utf8')).version,
      extensions: ['model_repository', 'binary_tensor_data'],
    });
    expect(await send(`${t.url}/v2/health/live`)).toMatchObject({
      status: 200,
      body: { live: true },
    });
    expect(await send(`${t.url}/v2/health/ready`)).toMatchObject({
      status: 200,
      body: { ready: true },
    });
  });

  it('model metadata and readiness, with and without a version', async () => {
    const expected = {
      name: 'anomaly-detector',
      versions: ['1'],
      platform: 'sklearn_native',
      inputs: [{ name: 'input', datatype: 'FP64', shape: [-1, 2] }],
      outputs: [
        { name: 'predict', datatype: 'INT64', shape: [-1] },
        { name: 'score_samples', datatype: 'FP64', shape: [-1] },
        { name: 'decision_function', datatype: 'FP64', shape: [-1] },
        { name: 'anomaly_score', datatype: 'FP64', shape: [-1] },
        // The explanations' extra outputs (src/explain), on the same scoring service.
        { name: 'shap_values', datatype: 'FP64', shape: [-1, 2] },
        { name: 'path_length', datatype: 'FP64', shape: [-1] },
        // The monitoring's always-on output (src/model-monitoring): the model has a reference.
        { name: 'anomaly_percentile', datatype: 'FP64', shape: [-1] },
      ],
    };
    expect((await send(`${t.url}/v2/models/anomaly-detector`)).body).toEqual(expected);
    expect((await send(`${t.url}/v2/models/anomaly-detector/versions/1`)).body).toEqual(expected);
    for (const path of ['/ready', '/versions/1/ready']) {
      const res = await send(`${t.url}/v2/models/anomaly-detector${path}`);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 200,
        body: { name: 'anomaly-detector', ready: true },
      });
    }
  });

  it('infers FP64 rows, flat or nested, and answers exactly what /predict/batch answers', async () => {
    const expected = await expectedOutputs(t.url, ROWS);
    const flat = await postJson(`${t.url}${INFER}`, {
      id: 'req-42',
      inputs: [tensor(ROWS.flat(), [ROWS.length, 2])],
    });
    expect(flat.status).toBe(200);
    expect(flat.body).toMatchObject({
      model_name: 'anomaly-detector',
      model_version: '1',
      id: 'req-42',
      parameters: { artifact_version: ARTIFACT_VERSION },
    });
    expect(flat.body.outputs.map((o: { name: string }) => o.name)).toEqual([
      'predict',
      'score_samples',
      'decision_function',
      'anomaly_score',
      'anomaly_percentile',
    ]);
    for (const o of flat.body.outputs as { shape: number[]; datatype: string; name: string }[]) {
      expect(o.shape).toEqual([ROWS.length]);
      expect(o.datatype).toBe(o.name === 'predict' ? 'INT64' : 'FP64');
    }
    expect(outputsOf(flat)).toEqual(expected);
    expect(outputsOf(flat).predict.slice(0, 2)).toEqual([-1, 1]);
    const nested = await postJson(`${t.url}/v2/models/anomaly-detector/versions/1/infer`, {
      inputs: [tensor(ROWS, [ROWS.length, 2])],
    });
    expect(nested.body.id).toBeUndefined();
    expect(outputsOf(nested)).toEqual(expected);
  });

  it('infers one row of shape [F] as /predict does, without a Content-Type', async () => {
    const one = await postJson(`${t.url}/predict`, { data: [-5.5, 5.2] });
    const res = await send(`${t.url}${INFER}`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [tensor([-5.5, 5.2], [2])] }),
    });
    expect(res.status).toBe(200);
    expect(res.body.outputs[0]).toEqual({
      name: 'predict',
      shape: [1],
      datatype: 'INT64',
      data: [one.body.prediction_score],
    });
    expect(outputsOf(res).anomaly_score).toEqual([one.body.anomaly_score]);
  });

  it('rounds FP32 values to float32 and converts integer types', async () => {
    const f32 = ROWS.map((r) => r.map((v) => Math.fround(v)));
    const expected = await expectedOutputs(t.url, f32);
    const res = await postJson(`${t.url}${INFER}`, {
      inputs: [tensor(ROWS.flat(), [ROWS.length, 2], 'FP32')],
    });
    expect(outputsOf(res)).toEqual(expected);
    const ints = [
      [2, 2],
      [-6, 5],
    ];
    const intExpected = await expectedOutputs(t.url, ints);
    for (const datatype of ['INT8', 'INT16', 'INT32', 'INT64']) {
      const r = await postJson(`${t.url}${INFER}`, { inputs: [tensor(ints, [2, 2], datatype)] });
      expect(outputsOf(r)).toEqual(intExpected);
    }
    const u = await postJson(`${t.url}${INFER}`, {
      inputs: [tensor([2, 3], [2], 'UINT8')],
    });
    expect(outputsOf(u)).toEqual(await expectedOutputs(t.url, [[2, 3]]));
  });

  it('returns the requested outputs only, in the order asked', async () => {
    const res = await postJson(`${t.url}${INFER}`, {
      inputs: [tensor(ROWS.slice(0, 2).flat())],
      outputs: [{ name: 'anomaly_score' }, { name: 'predict', parameters: { binary_data: false } }],
    });
    expect(res.body.outputs.map((o: { name: string }) => o.name)).toEqual([
      'anomaly_score',
      'predict',
    ]);
    const shap = await postJson(`${t.url}${INFER}`, {
      inputs: [tensor(ROWS.slice(0, 2).flat())],
      outputs: [{ name: 'shap_values' }],
    });
    expect(shap.body.outputs[0]).toMatchObject({ name: 'shap_values', shape: [2, 2] });
    expect(shap.body.outputs[0].data).toHaveLength(4);
  });

  it('reads binary tensor data (FP32 and FP64) and tolerates the KServe client fields', async () => {
    const f32 = new Float32Array(ROWS.flat());
    const expected = await expectedOutputs(
      t.url,
      ROWS.map((r) => r.map((v) => Math.fround(v))),
    );
    const b32 = binaryBody(
      {
        id: 'bin',
        model_name: 'anomaly-detector',
        inputs: [
          {
            name: 'input-0',
            shape: [ROWS.length, 2],
            datatype: 'FP32',
            parameters: { binary_data_size: f32.byteLength },
          },
        ],
      },
      new Uint8Array(f32.buffer),
    );
    const r32 = await send(`${t.url}${INFER}`, { method: 'POST', ...b32 });
    expect(r32.status).toBe(200);
    expect(r32.body.id).toBe('bin');
    expect(outputsOf(r32)).toEqual(expected);
    const f64 = new Float64Array(ROWS.flat());
    const b64 = binaryBody(
      {
        inputs: [
          {
            name: 'x',
            shape: [ROWS.length, 2],
            datatype: 'FP64',
            parameters: { binary_data_size: f64.byteLength },
          },
        ],
      },
      new Uint8Array(f64.buffer),
    );
    const r64 = await send(`${t.url}${INFER}`, { method: 'POST', ...b64 });
    expect(outputsOf(r64)).toEqual(await expectedOutputs(t.url, ROWS));
  });

  describe('error contract: status, {"error"} body naming the offending element, no internals', () => {
    const cases: [string, unknown, number, RegExp | string][] = [
      [
        'a JSON array body',
        [],
        400,
        'body must be a JSON object (an inference request), got an array.',
      ],
      ['no inputs', {}, 400, 'inputs must be an array of input tensors, got nothing.'],
      [
        'no input tensor',
        { inputs: [] },
        400,
        'inputs must contain exactly one input tensor, got 0.',
      ],
      [
        'two input tensors',
        { inputs: [tensor([1, 2]), tensor([1, 2])] },
        400,
        /exactly one input tensor, got 2/,
      ],
      [
        'an input that is not an object',
        { inputs: [3] },
        400,
        'inputs[0] must be an input tensor object, got 3.',
      ],
      [
        'an input without a name',
        { inputs: [{ ...tensor([1, 2]), name: '' }] },
        400,
        /^inputs\[0\]\.name must be a non-empty string/,
      ],
      [
        'no datatype',
        { inputs: [{ ...tensor([1, 2]), datatype: undefined }] },
        400,
        'inputs[0].datatype must be a string, got nothing.',
      ],
      [
        'a BYTES tensor',
        { inputs: [tensor([1, 2], [1, 2], 'BYTES')] },
        400,
        /^inputs\[0\]\.datatype must be FP64, FP32 or an integer type .*got "BYTES"/,
      ],
      ['a BOOL tensor', { inputs: [tensor([1, 2], [1, 2], 'BOOL')] }, 400, /got "BOOL"/],
      ['an FP16 tensor', { inputs: [tensor([1, 2], [1, 2], 'FP16')] }, 400, /got "FP16"/],
      ['an unknown datatype', { inputs: [tensor([1, 2], [1, 2], 'FLOAT')] }, 400, /got "FLOAT"/],
      [
        'no shape',
        { inputs: [{ ...tensor([1, 2]), shape: undefined }] },
        400,
        /^inputs\[0\]\.shape must be \[N, 2\] or \[2\] for this model .*got nothing\.$/,
      ],
      [
        'a bad shape',
        { inputs: [tensor([1, 2, 3], [1, 3])] },
        400,
        'inputs[0].shape must be [N, 2] or [2] for this model (2 values (cpu_usage, memory_load)), got [1, 3].',
      ],
      ['a wrong one-row shape', { inputs: [tensor([1, 2, 3], [3])] }, 400, /got \[3\]\.$/],
      ['a 3-d shape', { inputs: [tensor([1, 2], [1, 1, 2])] }, 400, /got \[1, 1, 2\]\.$/],
      [
        'zero rows',
        { inputs: [tensor([], [0, 2])] },
        400,
        'inputs[0].shape[0] must be at least 1 row, got 0.',
      ],
      [
        'a negative dimension',
        { inputs: [tensor([1, 2], [-1, 2])] },
        400,
        'inputs[0].shape[0] must be a non-negative integer, got -1.',
      ],
      [
        'a fractional dimension',
        { inputs: [tensor([1, 2], [1.5, 2])] },
        400,
        'inputs[0].shape[0] must be a non-negative integer, got 1.5.',
      ],
      [
        'more rows than MAX_BATCH_ROWS',
        { inputs: [tensor(new Array(130).fill(1), [65, 2])] },
        400,
        'inputs[0].shape[0] must be at most 64 rows (MAX_BATCH_ROWS), got 65.',
      ],
      [
        'no data',
        { inputs: [{ ...tensor([1, 2]), data: undefined }] },
        400,
        'inputs[0].data must be an array of numbers, got nothing.',
      ],
      [
        'flat data of the wrong size',
        { inputs: [tensor([1, 2, 3], [2, 2])] },
        400,
        'inputs[0].data must contain 4 values (shape [2, 2]), got 3.',
      ],
      [
        'nested data with too few rows',
        { inputs: [tensor([[1, 2]], [2, 2])] },
        400,
        'inputs[0].data must contain 2 rows (shape [2, 2]), got 1.',
      ],
      [
        'a nested row of the wrong length',
        { inputs: [tensor([[1, 2], [3]], [2, 2])] },
        400,
        'inputs[0].data[1] must be an array of 2 values, got 1 values.',
      ],
      [
        'a string value',
        { inputs: [tensor([1, '2'])] },
        400,
        'inputs[0].data[1] must be a number or null (missing), got a string.',
      ],
      [
        'a null value',
        { inputs: [tensor([null, 2])] },
        400,
        /^inputs\[0\]\.data\[0\] is missing \(null or NaN; row 0, column 0\), but this model does not accept missing values/,
      ],
      [
        'a boolean value',
        { inputs: [tensor([[1, true]], [1, 2])] },
        400,
        'inputs[0].data[0][1] must be a number or null (missing), got a boolean.',
      ],
      [
        'a float32 overflow',
        { inputs: [tensor([1, 3.5e38])] },
        400,
        /^inputs\[0\]\.data\[1\] must be a finite number within float32 range/,
      ],
      [
        'a fractional INT64 value',
        { inputs: [tensor([1, 2.5], [2], 'INT64')] },
        400,
        /^inputs\[0\]\.data\[1\] must be an integer from .* \(datatype INT64\), got 2\.5\.$/,
      ],
      [
        'a negative UINT32 value',
        { inputs: [tensor([1, -2], [2], 'UINT32')] },
        400,
        'inputs[0].data[1] must be an integer from 0 to 4294967295 (datatype UINT32), got -2.',
      ],
      [
        'an INT8 value out of range',
        { inputs: [tensor([1, 200], [2], 'INT8')] },
        400,
        /from -128 to 127 \(datatype INT8\), got 200\.$/,
      ],
      [
        'an unknown request property',
        { inputs: [tensor([1, 2])], extra: 1 },
        400,
        'extra is not an allowed property.',
      ],
      [
        'an unknown input property',
        { inputs: [{ ...tensor([1, 2]), contents: {} }] },
        400,
        'inputs[0].contents is not an allowed property.',
      ],
      [
        'an id that is not a string',
        { id: 7, inputs: [tensor([1, 2])] },
        400,
        'id must be a string, got 7.',
      ],
      [
        'parameters that are not an object',
        { parameters: [1], inputs: [tensor([1, 2])] },
        400,
        'parameters must be an object of parameters, got an array.',
      ],
      [
        'a parameter that is an object',
        { parameters: { a: {} }, inputs: [tensor([1, 2])] },
        400,
        'parameters.a must be a string, a number or a boolean, got an object.',
      ],
      [
        'outputs that are not an array',
        { inputs: [tensor([1, 2])], outputs: 'predict' },
        400,
        'outputs must be an array of requested outputs, got a string.',
      ],
      [
        'an unknown output',
        { inputs: [tensor([1, 2])], outputs: [{ name: 'proba' }] },
        400,
        'outputs[0].name must be one of predict, score_samples, decision_function, anomaly_score, shap_values, path_length, anomaly_percentile, got "proba".',
      ],
      [
        'a repeated output',
        { inputs: [tensor([1, 2])], outputs: [{ name: 'predict' }, { name: 'predict' }] },
        400,
        'outputs[1].name repeats "predict".',
      ],
      [
        'binary size and data both',
        { inputs: [{ ...tensor([1, 2]), parameters: { binary_data_size: 16 } }] },
        400,
        'inputs[0].data must be omitted when parameters.binary_data_size is given.',
      ],
      [
        'a binary size without binary data',
        { inputs: [{ ...tensor(undefined, [1, 2]), parameters: { binary_data_size: 16 } }] },
        400,
        /^inputs\[0\] binary data must be 16 bytes after the JSON header, got 0/,
      ],
    ];

    it.each(cases)('%s', async (_name, body, status, message) => {
      expectOipError(await postJson(`${t.url}${INFER}`, body), status, message);
    });

    it('malformed JSON', async () => {
      const res = await send(`${t.url}${INFER}`, { method: 'POST', body: '{"inputs": [' });
      expectOipError(res, 400, 'The request body is not valid JSON.');
    });

    it('a JSON value beyond float64 (1e400)', async () => {
      const res = await send(`${t.url}${INFER}`, {
        method: 'POST',
        body: '{"inputs":[{"name":"x","shape":[2],"datatype":"FP64","data":[1e400,1]}]}',
      });
      expectOipError(res, 400, /^inputs\[0\]\.data\[0\] must be a finite number .*got Infinity\.$/);
    });

    it('a binary header longer than the body, a wrong binary size, a NaN in binary data', async () => {
      const long = await send(`${t.url}${INFER}`, {
        method: 'POST',
        body: '{}',
        headers: { 'inference-header-content-length': '99' },
      });
      expectOipError(long, 400, /^Inference-Header-Content-Length must be a byte count/);
      const input = {
        name: 'x',
        shape: [2],
        datatype: 'FP64',
        parameters: { binary_data_size: 8 },
      };
      const wrong = binaryBody({ inputs: [input] }, new Uint8Array(16));
      expectOipError(
        await send(`${t.url}${INFER}`, { method: 'POST', ...wrong }),
        400,
        'inputs[0].parameters.binary_data_size must be 16 (2 FP64 values), got 8.',
      );
      const nan = binaryBody(
        { inputs: [{ ...input, parameters: { binary_data_size: 16 } }] },
        new Uint8Array(Float64Array.of(1, NaN).buffer),
      );
      expectOipError(
        await send(`${t.url}${INFER}`, { method: 'POST', ...nan }),
        400,
        /^inputs\[0\]\.data\[1\] must be a finite number .*got NaN\.$/,
      );
    });

    it('a body over BODY_LIMIT is 413', async () => {
      const res = await postJson(`${t.url}${INFER}`, {
        inputs: [tensor(new Array(1000).fill(1.25), [500, 2])],
      });
      expectOipError(res, 413, /larger than the 4096-byte limit/);
    });

    it.each([
      ['POST', '/v2/models/nope/infer', 'model "nope" is not in the repository'],
      ['GET', '/v2/models/nope', 'model "nope" is not in the repository'],
      ['GET', '/v2/models/nope/ready', 'model "nope" is not in the repository'],
      [
        'POST',
        '/v2/models/anomaly-detector/versions/9/infer',
        'model "anomaly-detector" has no version 9',
      ],
      [
        'GET',
        '/v2/models/anomaly-detector/versions/2',
        'model "anomaly-detector" has no version 2',
      ],
      [
        'GET',
        '/v2/models/anomaly-detector/versions/0/ready',
        'model "anomaly-detector" has no version 0',
      ],
      [
        'POST',
        '/v2/models/anomaly-detector/versions/v1/infer',
        'model "anomaly-detector" has no version v1',
      ],
      ['GET', '/v2/nowhere', 'No resource matches the request path and method.'],
      ['POST', '/v2/repository/index', 'No resource matches the request path and method.'],
    ])('%s %s is 404', async (method, path, message) => {
      const res = await send(`${t.url}${path}`, {
        method,
        body: method === 'POST' ? JSON.stringify({ inputs: [tensor([1, 2])] }) : undefined,
      });
      expectOipError(res, 404, message);
    });
  });
});

describe('Open Inference Protocol v2 without a model (real server)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MODEL_PATH: '/nonexistent/model.json' });
  });
  afterAll(() => t.close());

  it('is live, not ready, and answers 503 naming the model and why', async () => {
    expect((await send(`${t.url}/v2/health/live`)).body).toEqual({ live: true });
    const ready = await send(`${t.url}/v2/health/ready`);
    expect({ status: ready.status, body: ready.body }).toEqual({
      status: 503,
      body: { ready: false },
    });
    const modelReady = await send(`${t.url}/v2/models/anomaly-detector/ready`);
    expect({ status: modelReady.status, body: modelReady.body }).toEqual({
      status: 503,
      body: { name: 'anomaly-detector', ready: false },
    });
    const message =
      'model "anomaly-detector" version 1 is not ready: model file not found (MODEL_PATH)';
    const infer = await postJson(`${t.url}${INFER}`, { inputs: [tensor([1, 2])] });
    expectOipError(infer, 503, message);
    expect(infer.headers.get('retry-after')).toBe('10');
    expectOipError(await send(`${t.url}/v2/models/anomaly-detector`), 503, message);
  });
});

describe('Open Inference Protocol v2 with API_KEY and ADMIN_TOKEN (real server)', () => {
  let t: TestApp;
  const key = 'k'.repeat(20);
  const token = 't'.repeat(20);
  beforeAll(async () => {
    t = await startTestApp({ API_KEY: key, ADMIN_TOKEN: token });
  });
  afterAll(() => t.close());

  it('needs the API key for models and inference, never for health and server metadata', async () => {
    for (const path of ['/v2', '/v2/health/live', '/v2/health/ready']) {
      expect((await send(`${t.url}${path}`)).status).toBe(200);
    }
    expectOipError(
      await postJson(`${t.url}${INFER}`, { inputs: [tensor([1, 2])] }),
      401,
      'This route requires an X-API-Key header.',
    );
    expectOipError(await send(`${t.url}/v2/models/anomaly-detector`), 401, /X-API-Key/);
    const ok = await postJson(
      `${t.url}${INFER}`,
      { inputs: [tensor([1, 2])] },
      { 'x-api-key': key },
    );
    expect(ok.status).toBe(200);
  });

  it('puts the repository extension behind the admin token', async () => {
    expectOipError(await send(`${t.url}/v2/repository/index`, { method: 'POST' }), 401, /Bearer/);
    expectOipError(
      await send(`${t.url}/v2/repository/index`, {
        method: 'POST',
        headers: { authorization: 'Bearer wrong-token-xxxxxxxx' },
      }),
      401,
      'The bearer token is not valid.',
    );
    const index = await send(`${t.url}/v2/repository/index`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(index.body).toEqual([
      { name: 'anomaly-detector', version: '1', state: 'READY', reason: '' },
    ]);
  });
});
