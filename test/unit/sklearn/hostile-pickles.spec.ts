// Hostile files made by scripts/gen-hostile-pickles.py with Python's own pickle/joblib: code
// payloads (proved live under Python by the generator: they create a marker file), payloads
// inside valid models, opcodes that reach outside the file, memo tricks, lying size headers, memo
// back-references that would multiply the work, and 100,000-level nesting. Each is refused with the offending global/opcode and its offset, and
// nothing runs: the marker file never appears.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { importSklearnModel, PickleFormatError, PickleSecurityError } from '../../../src/sklearn';
import { HOSTILE_DIR } from './sklearn-fixtures';

interface HostileEntry {
  readonly error: 'PickleFormatError' | 'PickleSecurityError';
  readonly message: string;
  readonly offset: number | null;
  readonly executes_code_in_python: boolean;
  readonly note: string;
}

const { marker, files } = JSON.parse(readFileSync(join(HOSTILE_DIR, 'manifest.json'), 'utf8')) as {
  marker: string;
  files: Record<string, HostileEntry>;
};
const names = Object.keys(files).sort();

function refusal(bytes: Uint8Array): PickleFormatError {
  try {
    importSklearnModel(bytes);
  } catch (err) {
    if (err instanceof PickleFormatError) return err;
    throw err;
  }
  throw new Error('the hostile file was accepted');
}

describe('hostile pickles', () => {
  beforeAll(() => rmSync(marker, { force: true }));

  it('covers code payloads, model payloads, out-of-file opcodes, memo tricks, sizes, nesting', () => {
    expect(names.filter((n) => files[n].executes_code_in_python).length).toBeGreaterThanOrEqual(10);
    for (const fragment of [
      'posix.system',
      'builtins.eval',
      'subprocess.Popen',
      'builtins.getattr',
      'INST',
      'OBJ',
      'BINPERSID',
      'EXT1',
      'EXT2',
      'EXT4',
      'NEXT_BUFFER',
      'never set',
      'overwrites memo slot',
      'FRAME declares',
      '1000000000',
      'MARKs nested',
      'values on the pickle stack',
      'already used elsewhere',
      'more array data than the file holds',
      '_codecs.encode would produce more bytes',
    ]) {
      expect(names.some((n) => files[n].message.includes(fragment))).toBe(true);
    }
  });

  it.each(names)('%s is refused without executing anything', (name) => {
    const entry = files[name];
    const bytes = readFileSync(join(HOSTILE_DIR, name));
    if (entry.executes_code_in_python) {
      // The payload is really there (it names the marker file Python's loader created).
      const stream = name.endsWith('-z3.pkl') ? inflateSync(bytes) : bytes;
      expect(stream.includes(Buffer.from(marker))).toBe(true);
    }
    const err = refusal(bytes);
    expect(err.name).toBe(entry.error);
    expect(err instanceof PickleSecurityError).toBe(entry.error === 'PickleSecurityError');
    expect(err.message).toContain(entry.message);
    expect(err.message).not.toContain('internal reader error');
    if (entry.offset !== null) {
      expect(err.offset).toBe(entry.offset);
      expect(err.message).toContain(`(at byte ${entry.offset})`);
    } else {
      expect(err.offset).not.toBeNull();
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('never created the marker file', () => {
    expect(existsSync(marker)).toBe(false);
  });
});
