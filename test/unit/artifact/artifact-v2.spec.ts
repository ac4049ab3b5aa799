// Artifact format version 2: a scikit-learn 1.6+ model converted to the native format keeps its
// missing-value support (missingGoToLeft) and its writer's c(n) table (averagePathLength), and
// scores NaN rows exactly as the real file does; models without missing values have no such array.
import { decodeArtifact, encodeArtifact } from '../../../src/artifact';
import { sealDocument } from '../../../src/artifact/artifact-checksum';
import {
  acceptsMissingValues,
  fitIsolationForest,
  matrixFromRows,
  pathLengthSums,
  scoreSamples,
} from '../../../src/engine';
import { importSklearnModel } from '../../../src/sklearn';
import { readReleaseCase, readReleaseFile, rowsOf } from '../../helpers/sklearn-releases';
import { ulpDistance } from '../sklearn/sklearn-fixtures';

const expected = readReleaseCase('1.9.1', 'nan_named');
const imported = importSklearnModel(readReleaseFile('1.9.1', expected.files.joblib), {
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('artifact format version 2', () => {
  it('round-trips a scikit-learn 1.9.1 model with missing values, scoring NaN rows the same', () => {
    const bytes = encodeArtifact(imported);
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as {
      formatVersion: number;
      arrays: Record<string, unknown>;
    };
    expect(doc.formatVersion).toBe(2);
    expect(Object.keys(doc.arrays)).toEqual(
      expect.arrayContaining(['missingGoToLeft', 'averagePathLength']),
    );
    const decoded = decodeArtifact(bytes);
    expect(decoded.formatVersion).toBe(2);
    expect(acceptsMissingValues(decoded.forest)).toBe(true);
    expect(decoded.forest.missingGoToLeft).toEqual(imported.forest.missingGoToLeft);
    expect(decoded.forest.averagePathLength).toEqual(imported.forest.averagePathLength);
    const X = rowsOf(expected.X);
    expect(Array.from(pathLengthSums(decoded.forest, X))).toEqual(expected.path_length_sum);
    const scores = scoreSamples(decoded.forest, X);
    scores.forEach((s, i) =>
      expect(ulpDistance(s, expected.score_samples[i])).toBeLessThanOrEqual(4),
    );
  });

  it('writes no missing-value array for a model trained without missing values', () => {
    const model = fitIsolationForest(
      matrixFromRows([
        [0, 1],
        [1, 0],
        [2, 2],
        [3, 1],
      ]),
      { nEstimators: 2 },
    );
    const bytes = encodeArtifact({
      createdAt: '2026-01-01T00:00:00.000Z',
      params: model.options,
      featureNames: null,
      nFeatures: 2,
      offset: model.offset,
      forest: model.forest,
      nTrainingSamples: 4,
      trainingScoreQuantiles: null,
      featureMin: null,
      featureMax: null,
      source: { format: 'native' },
    });
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as { arrays: Record<string, unknown> };
    expect(Object.keys(doc.arrays)).not.toContain('missingGoToLeft');
    expect(acceptsMissingValues(decodeArtifact(bytes).forest)).toBe(false);
  });

  /** Re-seals the model's document after `edit`. */
  function edited(edit: (doc: Record<string, unknown>) => void): Uint8Array {
    const text = new TextDecoder().decode(encodeArtifact(imported));
    const doc = JSON.parse(text) as Record<string, unknown>;
    delete doc.sha256;
    edit(doc);
    return sealDocument(JSON.stringify(doc, null, 2)).bytes;
  }

  it('refuses the optional arrays in a version-1 file, and flags other than 0 or 1', () => {
    expect(() =>
      decodeArtifact(
        edited((doc) => {
          doc.formatVersion = 1;
          delete (doc.arrays as Record<string, unknown>).weightedNNodeSamples;
        }),
      ),
    ).toThrow(/arrays has an unknown member 'missingGoToLeft'/);
    const flags = edited((doc) => {
      const arrays = doc.arrays as Record<string, { data: string }>;
      const raw = Buffer.from(arrays.missingGoToLeft.data, 'base64');
      const ints = new Int32Array(raw.buffer, raw.byteOffset, raw.length / 4);
      ints[0] = 2;
      arrays.missingGoToLeft.data = Buffer.from(raw).toString('base64');
    });
    expect(() => decodeArtifact(flags)).toThrow(
      /arrays\.missingGoToLeft\[0\] is 2, expected 0 or 1/,
    );
  });

  it('refuses a c(n) table that disagrees with the trees', () => {
    const bytes = edited((doc) => {
      const arrays = doc.arrays as Record<string, { data: string }>;
      const raw = Buffer.from(arrays.averagePathLength.data, 'base64');
      const values = new Float64Array(
        raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length),
      );
      values[0] += 1e-9;
      arrays.averagePathLength.data = Buffer.from(values.buffer).toString('base64');
    });
    expect(() => decodeArtifact(bytes)).toThrow(/averagePathLength\[0\] is .*not c\(/);
  });
});
