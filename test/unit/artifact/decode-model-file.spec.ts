// decodeModelFile dispatches on content: native artifacts to decodeArtifact, pickles and joblib
// files to the safe importer; an imported model converts to a native artifact losslessly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeArtifact, decodeModelFile, encodeArtifact } from '../../../src/artifact';
import { matrixFromRows, ModelFormatError, scoreSamples } from '../../../src/engine';
import { importSklearnModel, PickleFormatError, PickleSecurityError } from '../../../src/sklearn';
import { HOSTILE_DIR, readCase, SKLEARN_DIR } from '../sklearn/sklearn-fixtures';

const fixture = (name: string): Buffer => readFileSync(join(SKLEARN_DIR, name));

function nativeFrom(pickleName: string): Uint8Array {
  const imported = importSklearnModel(fixture(pickleName), {
    createdAt: '2024-05-01T00:00:00.000Z',
  });
  return encodeArtifact(imported);
}

describe('decodeModelFile', () => {
  it.each([
    ['seed_cpu_mem.p2.pkl', 'sklearn-pickle'],
    ['seed_cpu_mem.p4.pkl', 'sklearn-pickle'],
    ['seed_cpu_mem.p5.pkl', 'sklearn-pickle'],
    ['seed_cpu_mem.joblib.pkl', 'sklearn-joblib'],
    ['d2_n10_ms64_boot_c005.joblib-z3.pkl', 'sklearn-joblib'],
  ])('reads %s through the pickle importer', (name, format) => {
    const artifact = decodeModelFile(fixture(name));
    expect(artifact.source.format).toBe(format);
    expect(artifact.source.sklearnVersion).toBe('1.2.1');
  });

  it('reads a native artifact through decodeArtifact', () => {
    const bytes = nativeFrom('seed_cpu_mem_auto_named.p4.pkl');
    const artifact = decodeModelFile(bytes);
    expect(artifact).toEqual(decodeArtifact(bytes));
    expect(artifact.formatVersion).toBe(2);
  });

  it('converts an imported model to a native artifact that scores identically', () => {
    for (const name of ['seed_cpu_mem.p4.pkl', 'seed_cpu_mem_auto_named.joblib.pkl']) {
      const imported = importSklearnModel(fixture(name));
      const native = decodeModelFile(encodeArtifact(imported));
      expect(native.modelVersion).toBe(imported.modelVersion);
      expect(native.source).toEqual({ format: imported.source.format, sklearnVersion: '1.2.1' });
      expect(native.forest).toEqual(imported.forest);
      expect(native.offset).toBe(imported.offset);
      expect(native.params).toEqual(imported.params);
      expect(native.featureNames).toEqual(imported.featureNames);
      expect(native.nTrainingSamples).toBe(imported.nTrainingSamples);
      const x = matrixFromRows(readCase(name.slice(0, name.indexOf('.'))).X);
      expect(scoreSamples(native.forest, x)).toEqual(scoreSamples(imported.forest, x));
    }
  });

  it('refuses a hostile pickle before anything else', () => {
    const bytes = readFileSync(join(HOSTILE_DIR, 'os-system.p4.pkl'));
    expect(() => decodeModelFile(bytes)).toThrow(PickleSecurityError);
    expect(() => decodeModelFile(bytes)).toThrow('refused global posix.system');
  });

  it('says other joblib compressors are unsupported', () => {
    expect(() => decodeModelFile(gzipSync(fixture('edge_one_sample.joblib.pkl')))).toThrow(
      PickleFormatError,
    );
  });

  it("leaves anything that is not a pickle to the native decoder's messages", () => {
    const run = (text: string): ModelFormatError => {
      try {
        decodeModelFile(Buffer.from(text));
      } catch (e) {
        if (e instanceof ModelFormatError) return e;
        throw e;
      }
      throw new Error('accepted');
    };
    expect(run('{"format": "something-else"}')).not.toBeInstanceOf(PickleFormatError);
    expect(run('{"format": "something-else"}').message).toContain('not a model artifact');
    expect(run('hello').message).toContain('not valid JSON');
  });
});
