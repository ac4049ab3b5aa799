import { randomUUID } from 'node:crypto';
import { request } from 'node:http';

/** A request without a response for this long fails with `TIMEOUT`. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** One request's fate, as a client saw it. */
export interface Hit {
  /** The `X-Request-Id` sent (the service logs it with its `pid`). */
  readonly id: string;
  /** `performance.now()`-style milliseconds (Date.now()) when the request was sent. */
  readonly sentAt: number;
  readonly doneAt: number;
  /** HTTP status, or 0 when the request failed. */
  readonly status: number;
  /** Parsed JSON body (undefined when not JSON or failed). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  /** The socket error code when the request failed (`ECONNREFUSED`, `ECONNRESET`, ...). */
  readonly error: string | null;
}

/**
 * Sends one request on a connection of its own (`agent: false`, `Connection: close`), so that a
 * worker pool's primary hands every request to a worker anew (it balances connections, not
 * requests).
 */
export function hit(
  baseUrl: string,
  path: string,
  init: {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    /** Fail with `TIMEOUT` after this long without a response. */
    timeoutMs?: number;
  } = {},
): Promise<Hit> {
  const { hostname, port } = new URL(baseUrl);
  const id = randomUUID();
  const sentAt = Date.now();
  return new Promise((resolve) => {
    const req = request(
      {
        hostname,
        port,
        path,
        method: init.method ?? 'GET',
        agent: false,
        headers: {
          connection: 'close',
          'x-request-id': id,
          ...(init.body === undefined
            ? {}
            : {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(init.body),
              }),
          ...init.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('error', (err: NodeJS.ErrnoException) =>
          resolve({
            id,
            sentAt,
            doneAt: Date.now(),
            status: 0,
            body: undefined,
            error: err.code ?? err.message,
          }),
        );
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({
            id,
            sentAt,
            doneAt: Date.now(),
            status: res.statusCode ?? 0,
            body,
            error: null,
          });
        });
      },
    );
    // A request nobody answers fails instead of hanging the test.
    req.setTimeout(init.timeoutMs ?? REQUEST_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({
        id,
        sentAt,
        doneAt: Date.now(),
        status: 0,
        body: undefined,
        error: err.code ?? err.message,
      }),
    );
    req.end(init.body);
  });
}

/** A closed-loop load: `clients` loops each sending one request after the other. */
export interface Load {
  /** Every finished request so far. */
  readonly hits: Hit[];
  /** Stops the loops and resolves once every request in flight finished. */
  stop(): Promise<Hit[]>;
}

const running = new Set<Load>();

/** Stops every load still running (for `afterAll`: a failed test must not leave loops behind). */
export async function stopAllLoads(): Promise<void> {
  await Promise.all([...running].map((load) => load.stop()));
}

/** Starts `clients` loops sending `make()` requests until stopped (or `until` says so). */
export function startLoad(
  clients: number,
  make: () => Promise<Hit>,
  until: (last: Hit) => boolean = () => false,
): Load {
  const hits: Hit[] = [];
  let active = true;
  const loops = Array.from({ length: clients }, async () => {
    while (active) {
      const h = await make();
      hits.push(h);
      if (until(h)) break;
    }
  });
  const load: Load = {
    hits,
    stop: async () => {
      active = false;
      running.delete(load);
      await Promise.all(loops);
      return hits;
    },
  };
  running.add(load);
  return load;
}
