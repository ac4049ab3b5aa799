import fc from 'fast-check';
import { decodeArtifact, encodeArtifact } from '../../../src/artifact';
import { sealDocument, TRAILER_LENGTH } from '../../../src/artifact/artifact-checksum';
import type { ArtifactInput, ModelArtifact } from '../../../src/artifact/model-artifact';
import { encodeTypedArray } from '../../../src/artifact/typed-array-codec';
import { ModelFormatError } from '../../../src/engine/errors';
import {
  buildArtifactInput,
  buildForest,
  forestShapeArb,
  type ForestShape,
} from '../../helpers/random-artifact';

const FOREST_KEYS = [
  'treeFeatures',
  'nodeOffsets',
  'childrenLeft',
  'childrenRight',
  'feature',
  'threshold',
  'nNodeSamples',
  'weightedNNodeSamples',
] as const;

/** Byte-exact equality of two typed arrays (so -0, subnormals and every bit count). */
function sameBytes(a: ArrayBufferView | null, b: ArrayBufferView | null): boolean {
  if (a === null || b === null) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function expectSameModel(decoded: ModelArtifact, input: ArtifactInput): void {
  expect(decoded.formatVersion).toBe(2);
  expect(decoded.createdAt).toBe(input.createdAt);
  expect(decoded.params).toEqual(input.params);
  expect(decoded.featureNames).toEqual(input.featureNames);
  expect(decoded.nFeatures).toBe(input.nFeatures);
  expect(Object.is(decoded.offset, input.offset)).toBe(true);
  expect(decoded.nTrainingSamples).toBe(input.nTrainingSamples);
  expect(decoded.source).toEqual(input.source);
  for (const key of ['nEstimators', 'nFeatures', 'maxSamples', 'maxFeatures'] as const) {
    expect(decoded.forest[key]).toBe(input.forest[key]);
  }
  for (const key of FOREST_KEYS) {
    const [got, want] = [decoded.forest[key], input.forest[key]];
    expect(got?.constructor).toBe(want?.constructor);
    expect(sameBytes(got ?? null, want ?? null)).toBe(true);
  }
  expect(sameBytes(decoded.trainingScoreQuantiles, input.trainingScoreQuantiles)).toBe(true);
  expect(sameBytes(decoded.featureMin, input.featureMin)).toBe(true);
  expect(sameBytes(decoded.featureMax, input.featureMax)).toBe(true);
}

/** Seed 42 gives three trees of 15 nodes, each rooted at a split whose left child is node 1. */
const SMALL: ForestShape = {
  seed: 42,
  nEstimators: 3,
  nFeatures: 3,
  maxFeatures: 2,
  maxSamples: 12,
  bootstrap: false,
};

/** The document of a valid file, as a plain object without its sha256 member. */
function documentOf(input: ArtifactInput = buildArtifactInput(SMALL, { named: true })) {
  const doc = JSON.parse(Buffer.from(encodeArtifact(input)).toString('utf8'));
  delete doc.sha256;
  return doc;
}

/** Writes a modified document with a valid checksum, so the content checks themselves run. */
function reseal(doc: unknown): Uint8Array {
  return sealDocument(JSON.stringify(doc, null, 2)).bytes;
}

function formatError(bytes: Uint8Array): ModelFormatError {
  try {
    decodeArtifact(bytes);
  } catch (e) {
    if (e instanceof ModelFormatError) return e;
    throw new Error(`expected a ModelFormatError, got ${String(e)}`);
  }
  throw new Error('expected decodeArtifact to throw');
}

describe('encodeArtifact / decodeArtifact round trip', () => {
  it('restores every field exactly, bit for bit (random small forests)', () => {
    fc.assert(
      fc.property(
        forestShapeArb,
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom<'auto' | number>('auto', 0.05, 0.5),
        (shape, named, summary, contamination) => {
          const input = buildArtifactInput(shape, { named, summary, contamination });
          expectSameModel(decodeArtifact(encodeArtifact(input)), input);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('writes identical bytes for identical input and derives the version from the content', () => {
    const input = buildArtifactInput(SMALL);
    const a = encodeArtifact(input);
    expect(Buffer.from(encodeArtifact(input)).equals(Buffer.from(a))).toBe(true);
    const version = decodeArtifact(a).modelVersion;
    expect(version).toMatch(/^sha256-[0-9a-f]{16}$/);

    const later = decodeArtifact(encodeArtifact({ ...input, createdAt: '2030-01-01T00:00:00Z' }));
    expect(later.modelVersion).toBe(version);
    const threshold = input.forest.threshold.slice();
    threshold[0] = threshold[0] + 1; // node 0 is a split (see SMALL)
    const changed = decodeArtifact(
      encodeArtifact({ ...input, forest: { ...input.forest, threshold } }),
    );
    expect(changed.modelVersion).not.toBe(version);
    expect(decodeArtifact(encodeArtifact({ ...input, modelVersion: 'v2.1.0' })).modelVersion).toBe(
      'v2.1.0',
    );
  });

  it('records the checksum of the exact bytes it verified', () => {
    const bytes = encodeArtifact(buildArtifactInput(SMALL));
    const text = Buffer.from(bytes).toString('utf8');
    const recorded = /"sha256": "([0-9a-f]{64})"\n}\n$/.exec(text)?.[1];
    expect(decodeArtifact(bytes).sha256).toBe(recorded);
    // Anyone can verify it: drop the trailer, close the object, hash.
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const content = Buffer.concat([
      Buffer.from(bytes.subarray(0, bytes.length - TRAILER_LENGTH)),
      Buffer.from('\n}'),
    ]);
    expect(createHash('sha256').update(content).digest('hex')).toBe(recorded);
  });

  it('returns a frozen model whose arrays share nothing with the input bytes', () => {
    const bytes = encodeArtifact(buildArtifactInput(SMALL, { named: true }));
    const model = decodeArtifact(bytes);
    for (const obj of [model, model.forest, model.params, model.source, model.featureNames]) {
      expect(Object.isFrozen(obj)).toBe(true);
    }
    expect(Object.isFrozen(model.params.maxFeatures)).toBe(true);
    const before = model.forest.threshold.slice();
    const buffers = FOREST_KEYS.map((k) => model.forest[k]!.buffer);
    expect(buffers).not.toContain(bytes.buffer);
    expect(new Set(buffers).size).toBe(FOREST_KEYS.length);
    bytes.fill(0);
    expect(sameBytes(model.forest.threshold, before)).toBe(true);
  });

  it('refuses to encode an invalid model rather than write a file it cannot read', () => {
    const input = buildArtifactInput(SMALL);
    expect(() => encodeArtifact({ ...input, offset: Number.NaN })).toThrow(
      /refusing to encode an invalid model: offset must be a finite number/,
    );
    const childrenLeft = input.forest.childrenLeft.slice();
    childrenLeft[0] = 0;
    expect(() => encodeArtifact({ ...input, forest: { ...input.forest, childrenLeft } })).toThrow(
      ModelFormatError,
    );
  });
});

describe('decodeArtifact detects corruption', () => {
  // One tree with one node: the smallest file, so every byte position can be tried.
  const tiny = encodeArtifact(
    buildArtifactInput(
      { seed: 1, nEstimators: 1, nFeatures: 1, maxFeatures: 1, maxSamples: 1, bootstrap: false },
      { named: true },
    ),
  );

  /** Positions in `bytes` whose change by `mask` does not raise a ModelFormatError. */
  function undetected(bytes: Uint8Array, positions: Iterable<number>, mask: number): number[] {
    const missed: number[] = [];
    for (const pos of positions) {
      const copy = bytes.slice();
      copy[pos] ^= mask;
      try {
        decodeArtifact(copy);
        missed.push(pos);
      } catch (e) {
        if (!(e instanceof ModelFormatError)) missed.push(pos);
      }
    }
    return missed;
  }

  it('rejects every single-byte change at every position', () => {
    const everywhere = tiny.keys();
    expect(undetected(tiny, everywhere, 0x01)).toEqual([]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 255 }), (mask) => {
        expect(undetected(tiny, tiny.keys(), mask)).toEqual([]);
      }),
      { numRuns: 4 },
    );
  });

  it('rejects a changed byte anywhere in a larger model', () => {
    const bytes = encodeArtifact(buildArtifactInput(SMALL, { named: true }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (pos, mask) => {
          expect(undetected(bytes, [pos], mask)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects every truncation, and says so', () => {
    const accepted: number[] = [];
    for (let n = 0; n < tiny.length; n++) {
      try {
        decodeArtifact(tiny.subarray(0, n));
        accepted.push(n);
      } catch (e) {
        if (!(e instanceof ModelFormatError)) accepted.push(n);
      }
    }
    expect(accepted).toEqual([]);
    expect(formatError(tiny.subarray(0, tiny.length - 1)).message).toMatch(/^truncated: /);
    expect(formatError(tiny.subarray(0, tiny.length >> 1)).message).toMatch(/^truncated: /);
  });

  it('rejects an appended byte', () => {
    const longer = new Uint8Array([...tiny, 0x0a]);
    expect(formatError(longer).message).toMatch(/must end with the sha256 member/);
  });

  it('fails the checksum when an edit inside a string still parses', () => {
    const text = Buffer.from(encodeArtifact(buildArtifactInput(SMALL, { named: true }))).toString(
      'utf8',
    );
    const renamed = text.replace('"feature 0 é"', '"feature 9 é"');
    const base64 = text.replace(/("threshold": \{[^}]*"data": ")A/, '$1B');
    expect(base64).not.toBe(text);
    for (const edited of [renamed, base64]) {
      expect(formatError(Buffer.from(edited)).message).toMatch(
        /^checksum mismatch: file is corrupt or was modified/,
      );
    }
  });
});

describe('decodeArtifact names what is wrong', () => {
  const enc = (values: Int32Array | Float64Array) => encodeTypedArray(values);
  const int32 = (entry: { data: string }) =>
    new Int32Array(new Uint8Array(Buffer.from(entry.data, 'base64')).buffer);
  const float64 = (entry: { data: string }) =>
    new Float64Array(new Uint8Array(Buffer.from(entry.data, 'base64')).buffer);

  type Doc = ReturnType<typeof documentOf>;
  const cases: [string, (doc: Doc) => void, RegExp][] = [
    [
      'a wrong format marker',
      (d) => (d.format = 'something-else'),
      /^not a model artifact: format marker is "something-else"/,
    ],
    [
      'a newer format version',
      (d) => (d.formatVersion = 3),
      /^unsupported format version 3; this build reads 1 to 2$/,
    ],
    [
      'a non-integer format version',
      (d) => (d.formatVersion = '1'),
      /formatVersion must be a positive integer/,
    ],
    ['an unknown member', (d) => (d.extra = 1), /unknown member 'extra'/],
    ['a missing member', (d) => delete d.offset, /missing the member 'offset'/],
    ['a bad model version', (d) => (d.modelVersion = 'a b'), /modelVersion "a b" must match/],
    ['a bad timestamp', (d) => (d.createdAt = 'yesterday'), /createdAt "yesterday" is not/],
    ['an unknown source', (d) => (d.source = { format: 'onnx' }), /source.format must be one of/],
    ['a non-numeric offset', (d) => (d.offset = null), /offset must be a finite number, got null/],
    [
      'feature names that do not match nFeatures',
      (d) => d.featureNames.pop(),
      /featureNames has 2 names but nFeatures is 3/,
    ],
    [
      'a repeated feature name',
      (d) => (d.featureNames[1] = d.featureNames[0]),
      /featureNames\[1\] repeats the name/,
    ],
    [
      'maxFeatures above nFeatures',
      (d) => (d.maxFeatures = 4),
      /maxFeatures must be an integer in \[1, 3\], got 4/,
    ],
    [
      'a wrong dtype',
      (d) => (d.arrays.threshold.dtype = 'float32'),
      /arrays.threshold.dtype: expected 'float64', got "float32"/,
    ],
    [
      'an array length that disagrees with the counts',
      (d) => (d.arrays.treeFeatures.length += 1),
      /arrays.treeFeatures.length: expected 6, got 7/,
    ],
    [
      'a cut base64 string',
      (d) => (d.arrays.threshold.data = d.arrays.threshold.data.slice(0, -4)),
      /^truncated: arrays.threshold.data has \d+ base64 characters, expected \d+/,
    ],
    [
      'a character outside base64',
      (d) => (d.arrays.feature.data = `*${d.arrays.feature.data.slice(1)}`),
      /arrays.feature.data is not valid base64/,
    ],
    [
      'non-canonical base64 padding bits',
      (d) => {
        // nodeOffsets is 4 x int32 = 16 bytes, so it ends in "X==" where X has 4 unused bits.
        const s: string = d.arrays.nodeOffsets.data;
        const last = s[s.length - 3];
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
        const flipped = alphabet[alphabet.indexOf(last) ^ 1];
        d.arrays.nodeOffsets.data = `${s.slice(0, -3)}${flipped}==`;
      },
      /arrays.nodeOffsets.data is not canonical base64/,
    ],
    [
      'a cycle in a tree',
      (d) => {
        const left = int32(d.arrays.childrenLeft);
        left[0] = 0;
        d.arrays.childrenLeft = enc(left);
      },
      /^invalid forest: tree 0 node 0 has children 0, /,
    ],
    [
      'a split on a feature outside the subset',
      (d) => {
        const feature = int32(d.arrays.feature);
        feature[0] = 2;
        d.arrays.feature = enc(feature);
      },
      /^invalid forest: tree 0 node 0 splits on feature 2, outside \[0, 2\)/,
    ],
    [
      'a leaf with a split feature',
      (d) => {
        const feature = int32(d.arrays.feature);
        const left = int32(d.arrays.childrenLeft);
        feature[left.indexOf(-1)] = 0;
        d.arrays.feature = enc(feature);
      },
      /is a leaf but has feature 0 and threshold -2 \(expected -2, -2\)/,
    ],
    [
      'sample counts that do not add up',
      (d) => {
        const samples = int32(d.arrays.nNodeSamples);
        samples[1] += 1;
        d.arrays.nNodeSamples = enc(samples);
      },
      /^invalid forest: tree 0 node 0 has 12 samples but its children have 13/,
    ],
    [
      'a non-finite threshold',
      (d) => {
        const threshold = float64(d.arrays.threshold);
        threshold[0] = Number.POSITIVE_INFINITY;
        d.arrays.threshold = enc(threshold);
      },
      /^invalid forest: tree 0 node 0 has a non-finite threshold/,
    ],
    [
      'decreasing quantiles',
      (d) => {
        const q = float64(d.trainingScoreQuantiles);
        q[50] = q[49] - 1e-3;
        d.trainingScoreQuantiles = enc(q);
      },
      /trainingScoreQuantiles must be non-decreasing: \[49\]/,
    ],
    [
      'a quantile outside the score range',
      (d) => {
        const q = float64(d.trainingScoreQuantiles);
        q[100] = 0.5;
        d.trainingScoreQuantiles = enc(q);
      },
      /trainingScoreQuantiles\[100\] is 0.5, outside the score range/,
    ],
    [
      'a feature minimum above its maximum',
      (d) => {
        const min = float64(d.featureMin);
        min[1] = float64(d.featureMax)[1] + 1;
        d.featureMin = enc(min);
      },
      /featureMin\[1\] = .* is greater than featureMax\[1\]/,
    ],
    [
      'only one of the feature ranges',
      (d) => (d.featureMax = null),
      /featureMin and featureMax must both be present or both be null/,
    ],
    [
      'an offset that contradicts contamination "auto"',
      (d) => (d.offset = -0.4),
      /offset must be -0.5 when contamination is "auto", got -0.4/,
    ],
    [
      'params that disagree with the tree count',
      (d) => (d.params.nEstimators = 4),
      /params.nEstimators is 4 but the forest has 3 trees/,
    ],
    [
      'params that disagree with the feature count',
      (d) => (d.params.maxFeatures = { fraction: 1.0 }),
      /maxFeatures is 2 but params.maxFeatures gives 3 of 3 features/,
    ],
    [
      'params that disagree with the sample count',
      (d) => (d.params.maxSamples = 'auto'),
      /maxSamples is 12 but params.maxSamples gives \d+ of \d+ rows/,
    ],
    [
      'a bad contamination',
      (d) => (d.params.contamination = 0.7),
      /params.contamination must be "auto" or a number in \(0, 0.5\], got 0.7/,
    ],
    [
      'a seed outside numpy range',
      (d) => (d.params.randomState = -1),
      /params.randomState must be an integer in \[0, 4294967295\], got -1/,
    ],
  ];

  it.each(cases)('%s', (_name, mutate, expected) => {
    const doc = documentOf();
    mutate(doc);
    const error = formatError(reseal(doc));
    expect(error.message).toMatch(expected);
  });

  it('rejects an empty file, a pickle, non-UTF-8 bytes and non-objects', () => {
    expect(formatError(new Uint8Array(0)).message).toBe('empty file: expected a model artifact');
    expect(formatError(new Uint8Array([0x80, 0x04, 0x95])).message).toMatch(/Python pickle/);
    expect(formatError(new Uint8Array([0x7b, 0xff, 0x7d])).message).toMatch(/not UTF-8 text/);
    expect(formatError(Buffer.from('[1, 2]')).message).toMatch(/expected a JSON object/);
    expect(formatError(Buffer.from('{"a": 1 "b"}')).message).toMatch(
      /^not valid JSON: .* \(line 1 column 9\)/,
    );
  });

  it('rejects a file whose recorded checksum was replaced', () => {
    const text = Buffer.from(encodeArtifact(buildArtifactInput(SMALL))).toString('utf8');
    const forged = text.replace(/"sha256": "[0-9a-f]{64}"/, `"sha256": "${'0'.repeat(64)}"`);
    expect(formatError(Buffer.from(forged)).message).toMatch(
      /^checksum mismatch: file is corrupt or was modified \(recorded sha256 0{64}/,
    );
  });

  it('reports the version before the checksum, since a newer version may hash differently', () => {
    const text = Buffer.from(encodeArtifact(buildArtifactInput(SMALL))).toString('utf8');
    const newer = text.replace('"formatVersion": 2', '"formatVersion": 7');
    expect(formatError(Buffer.from(newer)).message).toBe(
      'unsupported format version 7; this build reads 1 to 2',
    );
  });
});

describe('format versions 1 and 2', () => {
  it('writes version 2 with the node weights the forest carries', () => {
    const input = buildArtifactInput({ ...SMALL, bootstrap: true });
    const doc = documentOf(input);
    expect(doc.formatVersion).toBe(2);
    expect(doc.arrays.weightedNNodeSamples.dtype).toBe('float64');
    const decoded = decodeArtifact(encodeArtifact(input));
    expect(decoded.forest.weightedNNodeSamples).toEqual(input.forest.weightedNNodeSamples);
  });

  it('reads a version-2 file without node weights (each version-2 addition is optional)', () => {
    const doc = documentOf();
    delete doc.arrays.weightedNNodeSamples;
    const decoded = decodeArtifact(reseal(doc));
    expect(decoded.formatVersion).toBe(2);
    expect(decoded.forest.weightedNNodeSamples).toBeUndefined();
  });

  it('still reads version-1 files, which have no node weights', () => {
    const doc = documentOf();
    doc.formatVersion = 1;
    delete doc.arrays.weightedNNodeSamples;
    const decoded = decodeArtifact(reseal(doc));
    expect(decoded.formatVersion).toBe(1);
    expect(decoded.forest.weightedNNodeSamples).toBeUndefined();
    expect(decoded.forest.nNodeSamples).toEqual(buildForest(SMALL).nNodeSamples);
  });

  it('rejects version-2 members in a version-1 file', () => {
    const doc = documentOf();
    doc.formatVersion = 1;
    expect(formatError(reseal(doc)).message).toBe(
      "arrays has an unknown member 'weightedNNodeSamples'",
    );
  });

  it.each([
    ['a zero weight', 0, /node 0 has weighted_n_node_samples 0, expected a finite number > 0/],
    ['a negative weight', -1, /weighted_n_node_samples -1/],
    ['an infinite weight', Infinity, /weighted_n_node_samples Infinity/],
  ])('rejects %s', (_label, value, message) => {
    const doc = documentOf();
    const weights = buildForest(SMALL).weightedNNodeSamples!.slice();
    weights[0] = value;
    doc.arrays.weightedNNodeSamples = encodeTypedArray(weights);
    expect(formatError(reseal(doc)).message).toMatch(message);
  });
});
