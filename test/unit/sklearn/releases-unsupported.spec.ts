// Real scikit-learn 1.9.1 files the reader refuses (scripts/sklearn-releases/gen-unsupported.py):
// the categorical node layout of scikit-learn's unreleased main, per-tree arrays that disagree
// with the trees, a non-MT19937 random generator, an unsupported compressor. Each is refused with
// its own error class and a message naming the release or feature, with the byte offset. And one
// it must read that gen.py's forms never produce: joblib's output to a stream without tell(),
// which has no alignment pad.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importSklearnModel, PickleFormatError, PickleSecurityError } from '../../../src/sklearn';
import { pathLengthSums } from '../../../src/engine';
import { readReleaseCase, RELEASES_DIR, rowsOf } from '../../helpers/sklearn-releases';

const DIR = join(RELEASES_DIR, 'unsupported');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Record<
  string,
  { error?: 'PickleFormatError' | 'PickleSecurityError'; message?: string; same_as?: string }
>;
const refused = Object.keys(manifest).filter((f) => manifest[f].error !== undefined);

it('covers the future layout, tampered per-tree arrays, PCG64, order K and xz', () => {
  expect(refused.sort()).toEqual([
    'future-categorical.p5.pkl',
    'k-order-array.p5.pkl',
    'pcg64-random-state.p4.pkl',
    'tampered-average.p5.pkl',
    'tampered-depths.p4.pkl',
    'xz.joblib',
  ]);
});

it('reads a joblib file written without alignment pad (a stream without tell())', () => {
  const bytes = readFileSync(join(DIR, 'joblib-unaligned.joblib'));
  expect(manifest['joblib-unaligned.joblib'].same_as).toBe('1.9.1/default');
  const expected = readReleaseCase('1.9.1', 'default');
  const { forest, offset } = importSklearnModel(bytes);
  expect(Object.is(offset, expected.fitted.offset_)).toBe(true);
  expect(Array.from(pathLengthSums(forest, rowsOf(expected.X)))).toEqual(expected.path_length_sum);
});

it.each(refused)('%s is refused, naming why and where', (file) => {
  const entry = manifest[file];
  let error: unknown = null;
  try {
    importSklearnModel(readFileSync(join(DIR, file)));
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(PickleFormatError);
  const e = error as PickleFormatError;
  expect(e.name).toBe(entry.error);
  expect(e instanceof PickleSecurityError).toBe(entry.error === 'PickleSecurityError');
  expect(e.message).toContain(entry.message ?? '');
  expect(e.message).toMatch(/\(at byte \d+\)$/);
  expect(e.message).not.toContain('internal reader error');
});
