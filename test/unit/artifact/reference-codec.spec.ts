import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeArtifact, encodeArtifact } from '../../../src/artifact';
import { sealDocument, TRAILER_LENGTH } from '../../../src/artifact/artifact-checksum';
import type { ArtifactInput } from '../../../src/artifact/model-artifact';
import { syntheticServerData } from '../../../src/cli/synthetic-server-data';
import { fitIsolationForest, ModelFormatError, summarizeTraining } from '../../../src/engine';
import { computeTrainingReference } from '../../../src/monitoring';

const V1_FILE = join(
  __dirname,
  '..',
  '..',
  'fixtures',
  'artifacts',
  'format-v1-default-model.json',
);

const { x } = syntheticServerData();
const model = fitIsolationForest(x, { randomState: 42 });
const summary = summarizeTraining(model, x);
const reference = computeTrainingReference(model.forest, model.offset, x, { seed: 42 });
const input: ArtifactInput = {
  createdAt: '2026-01-01T00:00:00.000Z',
  params: model.options,
  featureNames: ['cpu_usage', 'memory_load'],
  nFeatures: 2,
  offset: model.offset,
  forest: model.forest,
  nTrainingSamples: 1000,
  trainingScoreQuantiles: summary.scoreQuantiles,
  featureMin: summary.featureMin,
  featureMax: summary.featureMax,
  reference,
  source: { format: 'native' },
};

/** The document of `bytes` without its checksum trailer, as an object. */
function documentOf(bytes: Uint8Array): Record<string, unknown> {
  const text = Buffer.from(bytes).toString('utf8');
  return JSON.parse(text.slice(0, -TRAILER_LENGTH) + '\n}') as Record<string, unknown>;
}

function reseal(doc: unknown): Uint8Array {
  return sealDocument(JSON.stringify(doc, null, 2)).bytes;
}

function formatError(bytes: Uint8Array): string {
  try {
    decodeArtifact(bytes);
  } catch (e) {
    if (e instanceof ModelFormatError) return e.message;
    throw e;
  }
  throw new Error('decoded without error');
}

describe('the training reference in the artifact (format version 2)', () => {
  it('round-trips bit for bit, before arrays, and leaves the model version as it was', () => {
    const bytes = encodeArtifact(input);
    const decoded = decodeArtifact(bytes);
    expect(decoded.formatVersion).toBe(2);
    expect(decoded.reference).toEqual(reference);
    const keys = Object.keys(documentOf(bytes));
    expect(keys.indexOf('reference')).toBe(keys.indexOf('arrays') - 1);
    const without = decodeArtifact(encodeArtifact({ ...input, reference: null }));
    expect(without.reference).toBe(null);
    expect('reference' in documentOf(encodeArtifact({ ...input, reference: null }))).toBe(false);
    expect(without.modelVersion).toBe(decoded.modelVersion);
  });

  it('still reads version-1 files (the previous default model), with no reference', () => {
    const v1 = decodeArtifact(readFileSync(V1_FILE));
    expect(v1.formatVersion).toBe(1);
    expect(v1.reference).toBe(null);
    expect(v1.modelVersion).toBe('sha256-485b7e7ca4d4e71e');
  });

  it('rejects a reference in a version-1 file, and damaged references', () => {
    const doc = documentOf(encodeArtifact(input));
    expect(formatError(reseal({ ...doc, formatVersion: 1 }))).toBe(
      "the document has an unknown member 'reference'",
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document edited freely
    type Json = Record<string, any>;
    const ref = doc.reference as Json;
    const cases: [string, (r: Json) => void, RegExp][] = [
      ['rows', (r) => (r.rows = 0), /reference.rows must be a positive integer/],
      ['rate', (r) => (r.anomalyRate = 1.5), /reference.anomalyRate must be a number in \[0, 1\]/],
      ['extra member', (r) => (r.extra = 1), /reference has an unknown member 'extra'/],
      [
        'features',
        (r) => (r.features = r.features.slice(0, 1)),
        /reference.features must be an array of 2/,
      ],
      [
        'percentile table',
        (r) => (r.percentileScores = r.score.proportions),
        /reference.percentileScores/,
      ],
      ['stats', (r) => (r.score.min = 2), /reference.score has inconsistent statistics/],
      ['edges', (r) => (r.features[0].edges = r.features[1].proportions), /edges|proportions/],
      [
        'sample',
        (r) => (r.sample.rows = 5000),
        /reference.sample.rows must be an integer in \[1, 1000\]/,
      ],
    ];
    for (const [, damage, message] of cases) {
      const copy = structuredClone(ref);
      damage(copy);
      expect(formatError(reseal({ ...doc, reference: copy }))).toMatch(message);
    }
  });
});
