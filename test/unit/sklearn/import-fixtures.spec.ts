// Every scikit-learn 1.2.1 parity fixture (pickle protocols 2/4/5, joblib, zlib joblib, feature
// names) imports to the trees scikit-learn fitted and reproduces its outputs through the engine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decisionFunction,
  InvalidInputError,
  matrixFromRows,
  pathLengthSums,
  predict,
  scoreSamples,
} from '../../../src/engine';
import { importSklearnModel } from '../../../src/sklearn';
import {
  modelName,
  readCase,
  readCaseText,
  readManifest,
  readTrees,
  SKLEARN_DIR,
  treeOf,
  ulpDistance,
  ulpOf,
} from './sklearn-fixtures';

const manifest = readManifest();
const files = Object.keys(manifest).sort();

/** Rows each model was fitted on (`_n_samples`), from the fixture generator's data sets. */
const TRAINING_ROWS: Record<string, number> = {
  seed_cpu_mem: 64,
  seed_cpu_mem_auto_named: 64,
  d2_n10_auto: 300,
  d2_n10_ms64_boot_c005: 300,
  d5_n10_ms05_mf06: 300,
  d5_n100_ms32_mf06_boot_c005: 300,
  edge_dups_const: 12,
  edge_one_sample: 1,
};

describe('importSklearnModel on the scikit-learn 1.2.1 fixtures', () => {
  it('covers every protocol and container the fixtures come in', () => {
    expect(new Set(files.map((f) => manifest[f].format))).toEqual(
      new Set(['p2', 'p4', 'p5', 'joblib', 'joblib-z3']),
    );
    expect(files).toHaveLength(29);
  });

  describe.each(files)('%s', (file) => {
    const name = modelName(file);
    const entry = manifest[file];
    const bytes = readFileSync(join(SKLEARN_DIR, file));
    const expected = readCase(name);
    const artifact = importSklearnModel(bytes, { createdAt: '2024-01-01T00:00:00.000Z' });
    const { forest } = artifact;

    it('describes its source and content hash', () => {
      const joblib = entry.format.startsWith('joblib');
      expect(artifact.source.format).toBe(joblib ? 'sklearn-joblib' : 'sklearn-pickle');
      expect(artifact.source.sklearnVersion).toBe('1.2.1');
      expect(artifact.sha256).toBe(entry.sha256);
      expect(artifact.modelVersion).toBe(`sklearn-${entry.sha256.slice(0, 12)}`);
      expect(artifact.formatVersion).toBe(entry.protocol);
      expect(artifact.createdAt).toBe('2024-01-01T00:00:00.000Z');
      expect(artifact.trainingScoreQuantiles).toBeNull();
      expect(artifact.featureMin).toBeNull();
      expect(artifact.featureMax).toBeNull();
      expect(artifact.nTrainingSamples).toBe(TRAINING_ROWS[name]);
    });

    it('has the fitted attributes scikit-learn reports', () => {
      const f = expected.fitted;
      expect(Object.is(artifact.offset, f.offset_)).toBe(true);
      expect(artifact.nFeatures).toBe(f.n_features_in_);
      expect(forest.nFeatures).toBe(f.n_features_in_);
      expect(forest.nEstimators).toBe(f.n_estimators);
      expect(forest.maxSamples).toBe(f.max_samples_);
      expect(forest.maxFeatures).toBe(f._max_features);
      expect(artifact.featureNames).toEqual(f.feature_names_in_);
      expect(Array.from(forest.treeFeatures)).toEqual(f.estimators_features_.flat());
      const counts = Array.from({ length: forest.nEstimators }, (_, t) => {
        return forest.nodeOffsets[t + 1] - forest.nodeOffsets[t];
      });
      expect(counts).toEqual(f.node_counts);
    });

    it('maps get_params() by Python type (int count vs float fraction)', () => {
      const p = expected.params;
      const text = readCaseText(name);
      const isFloat = (key: string): boolean =>
        new RegExp(`"${key}":\\s*-?[0-9]+\\.[0-9]`).test(text);
      expect(artifact.params.nEstimators).toBe(p.n_estimators);
      expect(artifact.params.bootstrap).toBe(p.bootstrap);
      expect(artifact.params.randomState).toBe(p.random_state);
      expect(artifact.params.contamination).toBe(p.contamination);
      expect(artifact.params.maxSamples).toEqual(
        p.max_samples === 'auto'
          ? 'auto'
          : isFloat('max_samples')
            ? { fraction: p.max_samples }
            : { count: p.max_samples },
      );
      expect(artifact.params.maxFeatures).toEqual(
        isFloat('max_features') ? { fraction: p.max_features } : { count: p.max_features },
      );
      expect(artifact.source.sklearnParams).toMatchObject(p);
    });

    const trees = readTrees(name);
    // Only the 10-tree and smaller models have a trees.json.
    if (trees !== null) {
      it('has the exact trees of NAME.trees.json', () => {
        const expectedTrees = trees;
        expect(forest.nEstimators).toBe(expectedTrees.length);
        for (let t = 0; t < expectedTrees.length; t++) {
          const { features, children_left, children_right, feature, threshold, n_node_samples } =
            expectedTrees[t];
          expect(treeOf(forest, t)).toEqual({
            features,
            children_left,
            children_right,
            feature,
            threshold,
            n_node_samples,
          });
        }
      });
    }

    it('reproduces predict exactly, path lengths exactly and scores within 4 ulp', () => {
      const x = matrixFromRows(expected.X);
      expect(Array.from(predict(forest, artifact.offset, x))).toEqual(expected.predict);
      expect(Array.from(pathLengthSums(forest, x))).toEqual(expected.path_length_sum);
      const scores = scoreSamples(forest, x);
      const decisions = decisionFunction(forest, artifact.offset, x);
      let worst = 0;
      let worstDecision = 0;
      for (let i = 0; i < x.rows; i++) {
        worst = Math.max(worst, ulpDistance(scores[i], expected.score_samples[i]));
        // decision = score - offset cancels digits near 0: bound its error by the score's ulp.
        const error = Math.abs(decisions[i] - expected.decision_function[i]);
        worstDecision = Math.max(worstDecision, error / ulpOf(expected.score_samples[i]));
      }
      expect(worst).toBeLessThanOrEqual(4);
      expect(worstDecision).toBeLessThanOrEqual(4);
    });

    it("rejects a request with the wrong feature count in scikit-learn's words", () => {
      const wrong = expected.error_cases.find((c) => c.case === 'wrong_n_features');
      expect(wrong).toBeDefined();
      const x = matrixFromRows(wrong?.X as number[][]);
      expect(() => scoreSamples(forest, x)).toThrow(InvalidInputError);
      expect(() => scoreSamples(forest, x)).toThrow(wrong?.message);
    });
  });

  it('reads the same forest from every protocol and container of one model', () => {
    const byModel = new Map<string, string>();
    for (const file of files) {
      const { forest, offset, featureNames } = importSklearnModel(
        readFileSync(join(SKLEARN_DIR, file)),
      );
      const fingerprint = JSON.stringify({
        offset,
        featureNames,
        arrays: Object.entries(forest).map(([k, v]) => [
          k,
          ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : v,
        ]),
      });
      const name = modelName(file);
      const seen = byModel.get(name);
      if (seen === undefined) byModel.set(name, fingerprint);
      else expect(fingerprint).toBe(seen);
    }
    expect(byModel.size).toBe(8);
  });
});
