import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { charsetOf, readJsonBody } from '../../../src/http/read-json-body';

const LIMIT = 1024;

/** What the server's reader reported for one request. */
interface Outcome {
  readonly kind?: string;
  readonly body?: unknown;
  readonly empty?: boolean;
}

/** A real HTTP server that answers each request with what `readJsonBody` made of its body. */
class ReaderServer {
  readonly outcomes: Outcome[] = [];
  private readonly server: Server;
  private waiters: (() => void)[] = [];

  constructor() {
    this.server = createServer((req, res) => {
      readJsonBody(req, LIMIT, (err, body) => {
        const outcome: Outcome =
          err !== null ? { kind: err.kind } : body === undefined ? { empty: true } : { body };
        this.outcomes.push(outcome);
        for (const wake of this.waiters.splice(0)) wake();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(outcome));
      });
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => {
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Resolves once `n` requests have been reported. */
  async reported(n: number): Promise<void> {
    while (this.outcomes.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('readJsonBody (real HTTP server)', () => {
  const server = new ReaderServer();
  let port = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    port = await server.listen();
  });
  afterAll(async () => {
    agent.destroy();
    await server.close();
  });

  /** Sends `chunks` one write at a time (a pause between them) and reads the answer. */
  function post(
    chunks: readonly (string | Buffer)[],
    headers: IncomingHttpHeaders = {},
  ): Promise<{ outcome: Outcome; reusedSocket: boolean }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          agent,
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          // The agent frees the socket after 'end'; resolve once it has, so the next request
          // can reuse it.
          res.on('end', () =>
            setImmediate(() =>
              resolve({ outcome: JSON.parse(text) as Outcome, reusedSocket: req.reusedSocket }),
            ),
          );
        },
      );
      req.on('error', reject);
      void (async () => {
        for (const chunk of chunks.slice(0, -1)) {
          req.write(chunk);
          await sleep(5);
        }
        req.end(chunks.at(-1));
      })();
    });
  }

  it('parses a body sent in pieces, with a multi-byte character split between them', async () => {
    const text = JSON.stringify({ data: [1.5, -2e-7], name: 'café ☃' });
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('☃')) + 1; // inside the snowman's three bytes
    const { outcome } = await post([
      bytes.subarray(0, 7),
      bytes.subarray(7, cut),
      bytes.subarray(cut),
    ]);
    expect(outcome).toEqual({ body: JSON.parse(text) });
  });

  it('parses with a Content-Length too, and any JSON value, not only objects', async () => {
    for (const value of [null, 42, '"s"', [1, [2]], { a: { b: [] } }]) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const { outcome } = await post([text], { 'content-length': String(Buffer.byteLength(text)) });
      expect(outcome).toEqual({ body: JSON.parse(text) });
    }
  });

  it('drops a leading UTF-8 byte-order mark', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const { outcome } = await post([Buffer.concat([bom, Buffer.from('{"data":[1,2]}')])]);
    expect(outcome).toEqual({ body: { data: [1, 2] } });
  });

  it('gives undefined for an empty body', async () => {
    expect((await post([])).outcome).toEqual({ empty: true });
  });

  it.each(['{"data":[1,2]', '{"data":[NaN]}', '{"a":1} x', "{'a':1}", '\ufeff'.repeat(2)])(
    'refuses text that is not JSON: %j',
    async (text) => {
      expect((await post([text])).outcome).toEqual({ kind: 'malformed-json' });
    },
  );

  it.each([
    ['application/json; charset=utf-8'],
    ['application/json; charset=UTF8'],
    ['application/json;charset="utf-8"'],
    ['application/json'],
  ])('accepts %s', async (type) => {
    expect((await post(['[1]'], { 'content-type': type })).outcome).toEqual({ body: [1] });
  });

  it.each([
    ['application/json; charset=latin1'],
    ['application/json; charset=utf-16le'],
    ['application/json; charset="iso-8859-1"'],
    ['application/json; charset='],
  ])('refuses %s as an unsupported charset', async (type) => {
    expect((await post(['[1]'], { 'content-type': type })).outcome).toEqual({
      kind: 'unsupported-charset',
    });
  });

  it('refuses compressed bodies, and takes identity as uncompressed', async () => {
    expect((await post(['[1]'], { 'content-encoding': 'gzip' })).outcome).toEqual({
      kind: 'unsupported-encoding',
    });
    expect((await post(['[1]'], { 'content-encoding': 'Identity' })).outcome).toEqual({
      body: [1],
    });
  });

  it('refuses a body whose Content-Length is over the limit, and the connection stays usable', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(LIMIT) });
    const first = await post([big], { 'content-length': String(big.length) });
    expect(first.outcome).toEqual({ kind: 'too-large' });
    const second = await post(['[2]']);
    expect(second).toEqual({ outcome: { body: [2] }, reusedSocket: true });
  });

  it('counts a chunked body while it streams and refuses it once it passes the limit', async () => {
    const piece = 'x'.repeat(400);
    const first = await post(['{"pad":"', piece, piece, piece, piece, '"}']);
    expect(first.outcome).toEqual({ kind: 'too-large' });
    const second = await post(['{"ok":true}']);
    expect(second).toEqual({ outcome: { body: { ok: true } }, reusedSocket: true });
  });

  it('accepts a body of exactly the limit', async () => {
    const text = JSON.stringify({ pad: 'x'.repeat(LIMIT - 10) });
    expect(text.length).toBe(LIMIT);
    expect((await post([text])).outcome).toEqual({ body: JSON.parse(text) });
  });

  it('reports a body cut off by the client as aborted, once', async () => {
    const before = server.outcomes.length;
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"data":',
    );
    await sleep(20);
    socket.destroy();
    await server.reported(before + 1);
    await sleep(20);
    expect(server.outcomes.slice(before)).toEqual([{ kind: 'aborted' }]);
  });
});

describe('charsetOf', () => {
  it.each([
    [undefined, null],
    ['application/json', null],
    ['application/json; charset=utf-8', 'utf-8'],
    ['application/json;CHARSET=Latin1;x=y', 'Latin1'],
    ['application/json; charset="utf-8"', 'utf-8'],
    ['application/json; charset=', ''],
  ])('%j -> %j', (type, charset) => {
    expect(charsetOf(type)).toBe(charset);
  });
});
