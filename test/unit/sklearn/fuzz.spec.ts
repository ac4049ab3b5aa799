// Byte-level fuzzing of real fixtures: whatever the mutation, the importer either returns a model
// that passes verification and scores, or throws its own format error; never another exception,
// never the internal-error fallback, never a hang (the jest timeout bounds each property).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ModelFormatError, scoreOne, verifyForest } from '../../../src/engine';
import { importSklearnModel, PickleFormatError } from '../../../src/sklearn';
import { readReleaseFile } from '../../helpers/sklearn-releases';
import { SKLEARN_DIR } from './sklearn-fixtures';

const SEEDS = [
  'edge_one_sample.p2.pkl',
  'edge_one_sample.p4.pkl',
  'edge_one_sample.p5.pkl',
  'edge_one_sample.joblib.pkl',
  'edge_dups_const.p4.pkl',
  'edge_dups_const.joblib.pkl',
  'd2_n10_ms64_boot_c005.joblib-z3.pkl',
]
  .map((name): Uint8Array => readFileSync(join(SKLEARN_DIR, name)))
  .concat(
    // scikit-learn 1.3-1.9 layouts: numpy 2 names, RandomState instances (numpy 1.26 and 2),
    // per-tree arrays, missing_go_to_left, joblib 1.6's nested protocol-5 object arrays.
    [
      ['1.3.2', 'rs_instance.p2.pkl.gz'],
      ['1.5.2', 'rs_instance.p5.pkl.gz'],
      ['1.9.1', 'nan_named.p5.pkl.gz'],
      ['1.9.1', 'nan_named.joblib.pkl.gz'],
    ].map(([release, file]) => readReleaseFile(release, file)),
  );

/** Small limits so that mutated length fields cannot make one case slow. */
const LIMITS = { maxInflatedBytes: 1 << 20, maxObjects: 20_000, maxMemoEntries: 20_000 };

/** Imports `bytes`; returns the error if it is one the importer may throw, rethrows others. */
function tryImport(bytes: Uint8Array): void {
  let artifact;
  try {
    artifact = importSklearnModel(bytes, { limits: LIMITS });
  } catch (err) {
    if (!(err instanceof ModelFormatError)) throw err;
    if (err instanceof PickleFormatError && err.message.startsWith('internal reader error')) {
      throw err;
    }
    return;
  }
  // Accepted: it must be a forest the engine can trust.
  verifyForest(artifact.forest);
  const score = scoreOne(artifact.forest, new Array<number>(artifact.nFeatures).fill(0.5));
  expect(score).toBeGreaterThanOrEqual(-1);
  expect(score).toBeLessThanOrEqual(0);
  if (artifact.forest.missingGoToLeft !== undefined) {
    const missing = scoreOne(artifact.forest, new Array<number>(artifact.nFeatures).fill(NaN));
    expect(missing).toBeGreaterThanOrEqual(-1);
    expect(missing).toBeLessThanOrEqual(0);
  }
}

const edit = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) });

const mutated = fc
  .record({
    seed: fc.integer({ min: 0, max: SEEDS.length - 1 }),
    edits: fc.array(edit, { minLength: 1, maxLength: 8 }),
    insert: fc.option(fc.record({ at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) })),
    cut: fc.option(fc.nat()),
  })
  .map(({ seed, edits, insert, cut }) => {
    const original = SEEDS[seed];
    let bytes = Uint8Array.from(original);
    for (const e of edits) bytes[e.at % bytes.length] = e.value;
    if (insert !== null) {
      const at = insert.at % (bytes.length + 1);
      bytes = Uint8Array.from([...bytes.subarray(0, at), ...insert.bytes, ...bytes.subarray(at)]);
    }
    if (cut !== null) bytes = bytes.subarray(0, cut % (bytes.length + 1));
    return bytes;
  });

describe('importSklearnModel under byte mutations', () => {
  it('only ever throws its own format errors on mutated fixtures', () => {
    fc.assert(fc.property(mutated, tryImport), { numRuns: 1500, seed: 20240501 });
  }, 30_000);

  it('only ever throws its own format errors on opcode-aligned garbage after a valid header', () => {
    // Streams of plausible opcodes stress the VM's stack/memo bookkeeping more than bit flips.
    const opcodes = fc.constantFrom(
      ...'()tue]a}sqrh0K'.split('').map((c) => c.charCodeAt(0)),
      0x85,
      0x86,
      0x87,
      0x88,
      0x89,
      0x8c,
      0x93,
      0x94,
      0x95,
      0x52,
      0x62,
      0x81,
      0x4e,
      0x2e,
    );
    const stream = fc
      .array(fc.oneof(opcodes, fc.integer({ min: 0, max: 255 })), { maxLength: 200 })
      .map((body) => Uint8Array.from([0x80, 4, ...body]));
    fc.assert(fc.property(stream, tryImport), { numRuns: 1500, seed: 7 });
  }, 30_000);
});
