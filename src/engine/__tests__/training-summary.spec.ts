import { InvalidInputError } from '../errors';
import { fitIsolationForest } from '../fit';
import { predict } from '../score';
import { summarizeTraining } from '../training-summary';
import { farFromSklearn, loadData, loadFixture, type TrainFixture } from './helpers/fixtures';

interface SummaryFixture extends TrainFixture {
  training_summary: {
    score_quantiles: number[];
    feature_min: number[];
    feature_max: number[];
    fraction_flagged: number;
  };
}

describe.each(['d2_defaults', 'd2_c005', 'c005_integer_index', 'edge_dups_const'])(
  'summarizeTraining against scikit-learn on %s',
  (name) => {
    const fx = loadFixture<SummaryFixture>(`sklearn-train/${name}.json`);
    const x = loadData(fx.data);
    const model = fitIsolationForest(x, fx.options);
    const summary = summarizeTraining(model, x);
    const expected = fx.training_summary;

    it('gives np.percentile(score_samples(X), arange(101)) within 4 ulp', () => {
      expect(summary.scoreQuantiles).toHaveLength(101);
      expect(farFromSklearn(summary.scoreQuantiles, expected.score_quantiles)).toEqual([]);
    });

    it('gives the column ranges and the share of rows predicted -1 exactly', () => {
      expect(Array.from(summary.featureMin)).toEqual(expected.feature_min);
      expect(Array.from(summary.featureMax)).toEqual(expected.feature_max);
      expect(summary.fractionFlagged).toBe(expected.fraction_flagged);
      const flagged = predict(model.forest, model.offset, x).filter((p) => p === -1).length;
      expect(summary.fractionFlagged).toBe(flagged / x.rows);
    });

    it('is non-decreasing from the minimum to the maximum score', () => {
      const q = summary.scoreQuantiles;
      for (let k = 1; k <= 100; k++) expect(q[k]).toBeGreaterThanOrEqual(q[k - 1]);
    });
  },
);

describe('summarizeTraining input checks', () => {
  const model = fitIsolationForest(
    { data: Float64Array.from([0, 1, 2, 3, 4, 5]), rows: 3, cols: 2 },
    { nEstimators: 2 },
  );

  it('rejects a matrix of the wrong width or with NaN', () => {
    expect(() => summarizeTraining(model, { data: new Float64Array(3), rows: 1, cols: 3 })).toThrow(
      InvalidInputError,
    );
    expect(() =>
      summarizeTraining(model, { data: Float64Array.from([NaN, 1]), rows: 1, cols: 2 }),
    ).toThrow('Input X contains NaN');
  });

  it('rejects an empty matrix', () => {
    expect(() => summarizeTraining(model, { data: new Float64Array(0), rows: 0, cols: 2 })).toThrow(
      InvalidInputError,
    );
  });
});
