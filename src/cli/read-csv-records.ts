import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CliError } from './cli-error';
import { describeError } from './describe-error';

/** Longest record accepted; a longer one is almost surely an unterminated quote. */
const MAX_RECORD_CHARS = 16 << 20;

/** One CSV record and the (1-based) file line it starts on. */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

/** Options of {@link readCsvRecords}. */
export interface ReadCsvOptions {
  /** Bytes read per system call. @default 1 MiB */
  readonly chunkBytes?: number;
  /** Called after every chunk with the bytes read so far and the file size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Streams the records of a CSV file (RFC 4180: comma separated, `"` quoting with `""` escapes,
 * quoted fields may span lines, LF or CRLF line ends, optional UTF-8 byte-order mark). Memory is
 * bounded by the chunk size and the longest record. Blank lines are skipped, as pandas does.
 *
 * Unquoted lines (the common case for numeric data) take a fast path: `indexOf` + `split`.
 *
 * @throws CliError naming the file and line for unreadable files, invalid UTF-8 and malformed
 *   quoting.
 */
export function* readCsvRecords(
  path: string,
  options: ReadCsvOptions = {},
): Generator<CsvRecord, void, undefined> {
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${describeError(e)}`);
  }
  try {
    const totalBytes = fstatSync(fd).size;
    const chunk = Buffer.allocUnsafe(chunkBytes);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let bytesRead = 0;
    let text = '';
    let pos = 0;
    let eof = false;
    let line = 0; // physical lines consumed so far
    let quoteAt = -1; // index of the next '"' at or after pos in text, or -1 if none
    const refill = (): void => {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunkBytes, null);
      } catch (e) {
        throw new CliError(`cannot read ${path}: ${describeError(e)}`);
      }
      bytesRead += n;
      eof = n === 0;
      let decoded: string;
      try {
        decoded = decoder.decode(chunk.subarray(0, n), { stream: !eof });
      } catch {
        throw new CliError(`${path}: invalid UTF-8 near line ${line + 1}`);
      }
      if (bytesRead === n && decoded.charCodeAt(0) === 0xfeff) decoded = decoded.slice(1);
      text = text.slice(pos) + decoded;
      pos = 0;
      quoteAt = text.indexOf('"');
      options.onProgress?.(bytesRead, totalBytes);
    };
    refill();
    for (;;) {
      if (pos >= text.length) {
        if (eof) return;
        refill();
        continue;
      }
      const nl = text.indexOf('\n', pos);
      if (nl === -1 && !eof) {
        checkRecordLength(text.length - pos, path, line + 1);
        refill();
        continue;
      }
      const end = nl === -1 ? text.length : nl;
      if (quoteAt !== -1 && quoteAt < pos) quoteAt = text.indexOf('"', pos);
      if (quoteAt === -1 || quoteAt >= end) {
        line++;
        const stop = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
        const raw = text.slice(pos, stop);
        pos = end + 1;
        if (raw.length > 0) yield { fields: raw.split(','), line };
        continue;
      }
      const parsed = parseQuotedRecord(text, pos, eof, () => `${path} line ${line + 1}`);
      if (parsed === null) {
        if (eof) throw new CliError(`${path} line ${line + 1}: unterminated quoted field`);
        checkRecordLength(text.length - pos, path, line + 1);
        refill();
        continue;
      }
      const start = line + 1;
      line += 1 + parsed.newlines;
      pos = parsed.next;
      yield { fields: parsed.fields, line: start };
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Parses one record that contains quotes, starting at `start`. Returns null when the buffer ends
 * before the record does (more input is needed).
 */
function parseQuotedRecord(
  text: string,
  start: number,
  eof: boolean,
  where: () => string,
): { fields: string[]; next: number; newlines: number } | null {
  const fields: string[] = [];
  let i = start;
  let newlines = 0;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      // Quoted field: runs to the next quote that is not doubled.
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1 || (q + 1 >= text.length && !eof)) return null;
        newlines += countNewlines(text, from, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      fields.push(value);
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (i >= text.length) return eof ? { fields, next: i, newlines } : null;
      if (c === 10) return { fields, next: i + 1, newlines };
      if (c === 13 && text.charCodeAt(i + 1) === 10) return { fields, next: i + 2, newlines };
      if (c === 13 && i + 1 >= text.length && !eof) return null;
      throw new CliError(`${where()}: unexpected text after a closing quote`);
    }
    // Unquoted field: up to the next comma or line end.
    let stop = i;
    while (stop < text.length) {
      const c = text.charCodeAt(stop);
      if (c === 44 || c === 10) break;
      if (c === 34) throw new CliError(`${where()}: a quote inside an unquoted field`);
      stop++;
    }
    if (stop >= text.length && !eof) return null;
    const c = text.charCodeAt(stop);
    const valueEnd = c !== 44 && stop > i && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
    fields.push(text.slice(i, valueEnd));
    if (c === 44) {
      i = stop + 1;
      continue;
    }
    return { fields, next: stop + 1, newlines };
  }
}

function checkRecordLength(chars: number, path: string, line: number): void {
  if (chars > MAX_RECORD_CHARS) {
    throw new CliError(
      `${path} line ${line}: record longer than ${MAX_RECORD_CHARS >> 20} MiB (unterminated quote?)`,
    );
  }
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let k = text.indexOf('\n', from); k !== -1 && k < to; k = text.indexOf('\n', k + 1)) n++;
  return n;
}
