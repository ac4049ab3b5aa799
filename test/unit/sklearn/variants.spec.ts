// Newer and other layouts (numpy 2 module names, scikit-learn >= 1.3's 64-byte nodes, 32-bit and
// big-endian node structs) load to the same forest; readable pickles that are not usable
// IsolationForests are refused with a clear message. Files: scripts/gen-sklearn-variants.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matrixFromRows, predict } from '../../../src/engine';
import { importSklearnModel, PickleFormatError, PickleSecurityError } from '../../../src/sklearn';
import { readCase, SKLEARN_DIR, VARIANTS_DIR } from './sklearn-fixtures';

interface VariantEntry {
  readonly sha256: string;
  readonly same_as?: string;
  readonly note?: string;
  readonly error?: 'PickleFormatError' | 'PickleSecurityError';
  readonly message?: string;
}

const manifest = JSON.parse(readFileSync(join(VARIANTS_DIR, 'manifest.json'), 'utf8')) as Record<
  string,
  VariantEntry
>;
const loadable = Object.keys(manifest).filter((f) => manifest[f].same_as !== undefined);
const refused = Object.keys(manifest).filter((f) => manifest[f].error !== undefined);

function snapshot(bytes: Uint8Array): unknown {
  const a = importSklearnModel(bytes);
  return {
    offset: a.offset,
    params: a.params,
    featureNames: a.featureNames,
    nTrainingSamples: a.nTrainingSamples,
    forest: Object.fromEntries(
      Object.entries(a.forest).map(([k, v]) => [
        k,
        ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v,
      ]),
    ),
  };
}

describe('scikit-learn pickles in other layouts', () => {
  it('covers numpy 2 names in every protocol, 64-byte, 32-bit and big-endian nodes', () => {
    expect(loadable.sort()).toEqual([
      'd2_n10_ms64_boot_c005.numpy2.joblib.pkl',
      'd2_n10_ms64_boot_c005.numpy2.p2.pkl',
      'd2_n10_ms64_boot_c005.numpy2.p4.pkl',
      'd2_n10_ms64_boot_c005.numpy2.p5.pkl',
      'd5_n10_ms05_mf06.node-bigendian.p4.pkl',
      'd5_n10_ms05_mf06.node-i4.p4.pkl',
      'd5_n10_ms05_mf06.node64-numpy2.p5.pkl',
      'd5_n10_ms05_mf06.node64.joblib.pkl',
      'd5_n10_ms05_mf06.node64.p4.pkl',
    ]);
  });

  it.each(loadable)('%s loads to the same model as the scikit-learn fixture', (file) => {
    const entry = manifest[file];
    const base = entry.same_as ?? '';
    const bytes = readFileSync(join(VARIANTS_DIR, file));
    const names = Buffer.from(bytes).toString('latin1');
    if (file.includes('numpy2')) {
      expect(names).toContain('numpy._core');
      expect(names).not.toContain('numpy.core');
    }
    if (file.includes('node64')) expect(names).toContain('missing_go_to_left');
    expect(snapshot(bytes)).toEqual(snapshot(readFileSync(join(SKLEARN_DIR, `${base}.p4.pkl`))));

    const artifact = importSklearnModel(bytes);
    expect(artifact.source.format).toBe(
      file.includes('joblib') ? 'sklearn-joblib' : 'sklearn-pickle',
    );
    const expected = readCase(base);
    const x = matrixFromRows(expected.X);
    expect(Array.from(predict(artifact.forest, artifact.offset, x))).toEqual(expected.predict);
  });
});

describe('readable pickles that are not usable IsolationForests', () => {
  it.each(refused)('%s is refused with a clear message', (file) => {
    const entry = manifest[file];
    const bytes = readFileSync(join(VARIANTS_DIR, file));
    let error: unknown = null;
    try {
      importSklearnModel(bytes);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PickleFormatError);
    const e = error as PickleFormatError;
    expect(e.name).toBe(entry.error);
    expect(e instanceof PickleSecurityError).toBe(entry.error === 'PickleSecurityError');
    expect(e.message).toContain(entry.message);
    expect(e.message).not.toContain('internal reader error');
    expect(e.offset === null || (e.offset >= 0 && e.offset < bytes.length)).toBe(true);
  });
});
