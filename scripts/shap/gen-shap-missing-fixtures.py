#!/usr/bin/python3
"""Explanation fixtures of models that accept missing values: test/fixtures/shap-missing/.

    python3 scripts/shap/gen-shap-missing-fixtures.py

installs the pinned environment (scripts/shap/requirements-missing.txt: scikit-learn 1.6.1, the
first release whose IsolationForest fits on and routes NaN, and shap 0.49.1) into
.cache/shap-missing-venv on first use, re-runs itself there, and writes for every case:

* NAME.pkl: the IsolationForest fitted on data with missing values (pickle protocol 4), which
  the service reads; every split carries scikit-learn's `missing_go_to_left`;
* NAME.json: the rows explained and what the real libraries answer for them:
  `TreeExplainer(model).shap_values(rows)` (shap routes a NaN to `children_default`, built from
  `missing_go_to_left`), `expected_value`, `expected_value_glibc_log` (see gen-shap-fixtures.py)
  and `score_samples`.

Rows mix finite, missing and infinite cells. JSON has no NaN or infinity: a missing cell is
null and an infinite one the string "inf" or "-inf". Finite values are float32-representable
(shap routes float64 values, scikit-learn float32 ones; they agree on such values) and written
with repr, so every double round-trips. The outputs are committed; tests never run Python.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shap_env  # noqa: E402

shap_env.ensure("missing")

import math  # noqa: E402
import pickle  # noqa: E402

import numpy as np  # noqa: E402
import shap  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402

from iforest_shap import (  # noqa: E402
    expected_value_with, f32, glibc_average_path_length, write_case, write_index)

OUT = os.path.join(shap_env.ROOT, "test", "fixtures", "shap-missing")


def training(rng, n, d, missing):
    """Gaussian columns of different scales, `missing` of the cells NaN, one row all NaN."""
    x = rng.normal(0.0, 1.0, size=(n, d)) * rng.uniform(0.5, 3.0, size=d) + rng.uniform(-5, 5, d)
    x[rng.uniform(size=(n, d)) < missing] = np.nan
    x[3, :] = np.nan
    return f32(x)


def explain_rows(rng, X):
    """Normal and anomalous rows, with and without missing cells, and infinite cells."""
    n, d = X.shape
    mean, sd = np.nanmean(X, 0), np.nanstd(X, 0) + 1e-3
    complete = X[~np.isnan(X).any(1)]
    normal = complete[rng.choice(len(complete), 5, replace=False)]
    rows = [*normal, mean + 6 * sd, mean - 6 * sd]
    kinds = ["normal"] * len(normal) + ["anomalous"] * 2
    for j in range(d):
        r = normal[j % len(normal)].copy()
        r[j] = np.nan
        rows.append(r)
        kinds.append("missing")
    for j in range(0, d - 1, 2):
        r = (mean + 5 * sd).copy()
        r[j] = np.nan
        r[j + 1] = np.nan
        rows.append(r)
        kinds.append("missing")
    rows.append(np.full(d, np.nan))
    kinds.append("missing")
    r = normal[0].copy()
    r[0] = np.inf
    r[-1] = -np.inf
    rows.append(r)
    kinds.append("infinite")
    r = np.full(d, np.nan)
    r[1] = -np.inf
    rows.append(r)
    kinds.append("infinite")
    return f32(rows), kinds


def cell(v):
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


CASES = [
    # name, data seed, rows, columns, share of missing cells, IsolationForest parameters
    ("missing-values-5d", 1, 500, 5, 0.12, dict(n_estimators=40, random_state=3)),
    ("missing-values-max-features-6d", 2, 400, 6, 0.08,
     dict(n_estimators=30, max_features=0.67, contamination=0.1, random_state=7)),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    index = []
    for name, seed, n, d, missing, params in CASES:
        rng = np.random.RandomState(seed)
        X = training(rng, n, d, missing)
        model = IsolationForest(**params).fit(X)
        rows, kinds = explain_rows(rng, X)
        explainer = shap.TreeExplainer(model)
        phi = explainer.shap_values(rows)
        expected = float(np.asarray(explainer.expected_value).reshape(-1)[0])
        with open(os.path.join(OUT, name + ".pkl"), "wb") as f:
            pickle.dump(model, f, protocol=4)
        doc = {
            "name": name,
            "versions": {"shap": shap.__version__, "sklearn": sklearn.__version__,
                         "numpy": np.__version__},
            "params": {k: v for k, v in model.get_params().items()},
            "rows": [[cell(v) for v in row] for row in rows.tolist()],
            "kinds": kinds,
            "shap_values": phi.tolist(),
            "expected_value": expected,
            "expected_value_glibc_log": expected_value_with(model, glibc_average_path_length),
            "score_samples": model.score_samples(rows).tolist(),
            "max_samples_": int(model.max_samples_),
        }
        write_case(OUT, name, doc)
        index.append(name)
        print(f"{name}: {len(rows)} rows, expected_value {expected!r}")
    write_index(OUT, index)


if __name__ == "__main__":
    main()
