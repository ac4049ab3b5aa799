import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeArtifact } from '../../../src/artifact';
import { DEFAULT_MODEL_PATH, main as train } from '../../../src/cli/train';
import { matrixFromRows } from '../../../src/engine/matrix';
import { predict, scoreSamples } from '../../../src/engine/score';
import { runCliMain } from '../../helpers/run-cli-main';
import { makeTempDir } from '../../helpers/temp-dir';

const dir = makeTempDir('default-model');
afterAll(() => dir.remove());

const FOREST_ARRAYS = [
  'treeFeatures',
  'nodeOffsets',
  'childrenLeft',
  'childrenRight',
  'feature',
  'threshold',
  'nNodeSamples',
  'weightedNNodeSamples',
] as const;

describe('the committed default model', () => {
  const committed = decodeArtifact(readFileSync(join(__dirname, '../../..', DEFAULT_MODEL_PATH)));

  it('loads and keeps the seed contract: [-5.5, 5.2] is an anomaly, [2.1, 2.1] is normal', () => {
    const x = matrixFromRows([
      [-5.5, 5.2],
      [2.1, 2.1],
    ]);
    expect([...predict(committed.forest, committed.offset, x)]).toEqual([-1, 1]);
    const [outlier, inlier] = scoreSamples(committed.forest, x);
    expect(outlier).toBeLessThan(-0.5);
    expect(inlier).toBeGreaterThan(-0.5);
    expect(committed.featureNames).toEqual(['cpu_usage', 'memory_load']);
    expect(committed.params.randomState).toBe(42);
  });

  it('is exactly what `npm run train` reproduces (same trees, offset, summary and version)', async () => {
    const out = dir.file('retrained.json');
    expect((await runCliMain(train, ['--out', out])).code).toBe(0);
    const fresh = decodeArtifact(readFileSync(out));
    for (const name of FOREST_ARRAYS) {
      expect(Buffer.from(fresh.forest[name]!.buffer)).toEqual(
        Buffer.from(committed.forest[name]!.buffer),
      );
    }
    expect(fresh.offset).toBe(committed.offset);
    expect(fresh.params).toEqual(committed.params);
    expect(fresh.trainingScoreQuantiles).toEqual(committed.trainingScoreQuantiles);
    // The version hashes everything but the timestamp: equal versions, equal content.
    expect(fresh.modelVersion).toBe(committed.modelVersion);
    expect(fresh.createdAt).not.toBe(committed.createdAt);
  });
});
