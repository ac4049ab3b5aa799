import type { IncomingMessage } from 'node:http';
import { RequestBodyError } from '../errors';

/** Called once with the parsed body (`undefined` for an empty one) or why it could not be read. */
export type JsonBodyCallback = (err: RequestBodyError | null, body?: unknown) => void;

/** Called once with the body's bytes or why they could not be read. */
export type BodyBytesCallback = (err: RequestBodyError | null, bytes?: Buffer) => void;

/** True when the request announces a non-empty body (a length above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Reads and parses a JSON request body of at most `limit` bytes, for a request already known to
 * be `application/json`. Any JSON value parses (validation then says what is wrong with `null`
 * or `[1, 2]`); an empty body gives `undefined`; a leading UTF-8 byte-order mark is dropped.
 *
 * What it refuses, as a {@link RequestBodyError}:
 * - a `Content-Encoding` other than `identity` (`unsupported-encoding`), and a `charset`
 *   parameter other than UTF-8 (`unsupported-charset`): both before reading anything;
 * - more than `limit` bytes, announced by `Content-Length` or counted while streaming
 *   (`too-large`): the rest of the body is read off and dropped first, so the connection stays
 *   usable and the client, still sending, sees the answer;
 * - a body that ends early or does not match its `Content-Length` (`aborted`, `malformed-json`),
 *   and text that is not JSON (`malformed-json`).
 *
 * It replaces body-parser on the predict routes. That parser decodes through iconv-lite, reads
 * through raw-body and registers half a dozen listeners per request; for the small bodies of a
 * prediction service that bookkeeping cost more than parsing the JSON. This does the same job
 * with one `Buffer` decode, three listeners and no per-request closures beyond them.
 */
export function readJsonBody(req: IncomingMessage, limit: number, done: JsonBodyCallback): void {
  readBodyBytes(req, limit, (err, bytes) => {
    if (err !== null) done(err);
    else parseJsonBytes(bytes!, done);
  });
}

/**
 * Reads a request body of at most `limit` bytes, with {@link readJsonBody}'s checks of encoding,
 * charset, size and length; the caller parses the bytes.
 */
export function readBodyBytes(req: IncomingMessage, limit: number, done: BodyBytesCallback): void {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    done(
      new RequestBodyError(
        'unsupported-encoding',
        'Compressed request bodies are not accepted; send the JSON uncompressed.',
      ),
    );
    return;
  }
  const charset = charsetOf(req.headers['content-type']);
  if (charset !== null && !UTF8.test(charset)) {
    done(new RequestBodyError('unsupported-charset', 'The request body must be UTF-8.'));
    return;
  }
  const declared = req.headers['content-length'];
  const expected = declared === undefined ? -1 : Number(declared);
  if (expected > limit) {
    discardThen(req, done, tooLarge(limit));
    return;
  }

  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > limit) {
      cleanup();
      discardThen(req, done, tooLarge(limit));
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (): void => {
    cleanup();
    if (expected >= 0 && received !== expected) {
      done(
        new RequestBodyError(
          'malformed-json',
          'The request body length does not match its Content-Length.',
        ),
      );
      return;
    }
    done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
  };
  const onClose = (): void => {
    // 'close' before 'end': the client went away mid-body ('error' comes with it on some
    // versions; either one is enough).
    cleanup();
    done(new RequestBodyError('aborted', 'The request body ended early.'));
  };
  const cleanup = (): void => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onClose);
    req.off('error', onClose);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('close', onClose);
  req.on('error', onClose);
}

/** `utf-8` or `utf8`, any case. */
const UTF8 = /^utf-?8$/i;

/** The `charset` parameter of a media type, unquoted, or null when there is none. */
export function charsetOf(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  const match = CHARSET.exec(contentType);
  return match === null ? null : (match[1] ?? match[2]);
}

const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;

function tooLarge(limit: number): RequestBodyError {
  return new RequestBodyError(
    'too-large',
    `The request body is larger than the ${limit}-byte limit.`,
  );
}

/** Lets the rest of the body flow into the void, then reports `err` once the request ended. */
function discardThen(req: IncomingMessage, done: BodyBytesCallback, err: RequestBodyError): void {
  if (req.complete) {
    done(err);
    return;
  }
  let reported = false;
  const report = (): void => {
    if (reported) return;
    reported = true;
    done(err);
  };
  req.once('end', report);
  req.once('close', report);
  req.once('error', report);
  req.resume();
}

/** Parses JSON body bytes (a leading UTF-8 byte-order mark dropped; empty gives `undefined`). */
export function parseJsonBytes(bytes: Buffer, done: JsonBodyCallback): void {
  // A leading byte-order mark is the encoding's signature, not JSON text.
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = bytes.toString('utf8', start ? 3 : 0);
  if (text.length === 0) {
    done(null, undefined);
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    done(new RequestBodyError('malformed-json', 'The request body is not valid JSON.'));
    return;
  }
  done(null, body);
}
