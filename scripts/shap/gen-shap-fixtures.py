#!/usr/bin/python3
"""Explanation fixtures from the real shap: test/fixtures/shap/.

    python3 scripts/shap/gen-shap-fixtures.py

installs the pinned environment (scripts/shap/requirements.txt: scikit-learn 1.2.1, shap 0.49.1)
into .cache/shap-venv on first use, re-runs itself there, and writes for every case:

* NAME.pkl: the fitted scikit-learn IsolationForest (pickle protocol 4), which the service can
  load directly and `npm run import` converts;
* NAME.json: the training rows and parameters (so the native engine can fit the same forest:
  same data and seed give the same trees), the rows explained, and what the real libraries
  answer for them: `TreeExplainer(model).shap_values(rows)`, `expected_value`,
  `score_samples`, `decision_function`; and `expected_value_glibc_log`, shap's expected_value
  with c(n) evaluated by glibc's log (what numpy computes on a CPU without AVX-512, and what the
  engine reproduces, as scikit-learn 1.2.1's parity fixtures do): on an AVX-512 CPU numpy's own
  SIMD log differs by an ulp for some n, and shap's expected_value with it.

All values are float32-representable (shap routes float64 values, scikit-learn float32 ones;
they agree on such rows) and written with repr, so every double round-trips. The outputs are
committed; tests never run Python.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shap_env  # noqa: E402

shap_env.ensure()

import pickle  # noqa: E402

import numpy as np  # noqa: E402
import shap  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402

from iforest_shap import (  # noqa: E402
    expected_value_with, f32, glibc_average_path_length, write_case, write_index)

OUT = os.path.join(shap_env.ROOT, "test", "fixtures", "shap")


def server_activity(rng, n):
    """Two tight clusters around (2, 2) and (-2, -2) plus 4% scattered incidents."""
    k = int(n * 0.04)
    half = (n - k) // 2
    a = rng.normal(2.0, 0.5, size=(half, 2))
    b = rng.normal(-2.0, 0.5, size=(n - k - half, 2))
    c = rng.uniform(-6.0, 6.0, size=(k, 2))
    return f32(np.vstack([a, b, c]))


def gaussian(rng, n, d, constant=None):
    x = rng.normal(0.0, 1.0, size=(n, d)) * rng.uniform(0.5, 3.0, size=d) + rng.uniform(-5, 5, d)
    if constant is not None:
        x[:, constant] = 1.5
    return f32(x)


def edge_rows(model, X, count):
    """Rows whose value on a split column is the float32 just at or just above its threshold."""
    rows = []
    t = 0
    while len(rows) < count and t < len(model.estimators_):
        tree = model.estimators_[t].tree_
        cols = model.estimators_features_[t]
        for node in range(min(tree.node_count, 6)):
            if tree.children_left[node] < 0 or len(rows) >= count:
                continue
            col = int(cols[tree.feature[node]]) if model._max_features != X.shape[1] else int(tree.feature[node])
            thr = tree.threshold[node]
            lo = np.float32(thr)
            if float(lo) > thr:
                lo = np.nextafter(lo, np.float32(-np.inf))
            hi = np.nextafter(lo, np.float32(np.inf))
            base = X[(t * 7 + node) % len(X)].copy()
            for v in (lo, hi):
                r = base.copy()
                r[col] = float(v)
                rows.append(r)
        t += 1
    return rows[:count]


def explain_rows(rng, model, X):
    n, d = X.shape
    normal = X[rng.choice(n, 6, replace=False)]
    mean, sd = X.mean(0), X.std(0) + 1e-3
    anomalous = [mean + 6 * sd, mean - 6 * sd]
    for j in range(min(d, 3)):
        r = mean.copy()
        r[j] = mean[j] + 8 * sd[j]
        anomalous.append(r)
    extremes = [X.min(0), X.max(0), np.zeros(d), np.full(d, 1e30), np.full(d, -3e38)]
    rows = np.vstack([normal, f32(anomalous), f32(extremes), f32(edge_rows(model, X, 8))])
    kinds = ["normal"] * len(normal) + ["anomalous"] * len(anomalous) + ["edge"] * (
        len(extremes) + 8)
    return f32(rows), kinds[: len(rows)]


CASES = [
    # name, data seed, data, IsolationForest parameters
    ("default-2d", 1, lambda r: server_activity(r, 1000), dict(random_state=42)),
    ("max-features-half-12d", 2, lambda r: gaussian(r, 400, 12),
     dict(n_estimators=40, max_features=0.5, random_state=7)),
    ("max-features-count-3-of-6d", 3, lambda r: gaussian(r, 300, 6),
     dict(n_estimators=40, max_features=3, random_state=11)),
    ("max-samples-16-3d", 4, lambda r: gaussian(r, 300, 3),
     dict(n_estimators=60, max_samples=16, random_state=5)),
    ("contamination-5d", 5, lambda r: gaussian(r, 500, 5),
     dict(n_estimators=50, contamination=0.05, random_state=3)),
    ("wide-16d", 6, lambda r: gaussian(r, 600, 16), dict(n_estimators=40, random_state=9)),
    ("constant-column-4d", 7, lambda r: gaussian(r, 300, 4, constant=2),
     dict(n_estimators=30, random_state=13)),
    ("bootstrap-4d", 8, lambda r: gaussian(r, 300, 4),
     dict(n_estimators=40, bootstrap=True, max_samples=64, random_state=17)),
    ("bootstrap-max-features-8d", 9, lambda r: gaussian(r, 400, 8),
     dict(n_estimators=30, bootstrap=True, max_features=0.75, random_state=19)),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    index = []
    for name, seed, make, params in CASES:
        rng = np.random.RandomState(seed)
        X = make(rng)
        model = IsolationForest(**params).fit(X)
        rows, kinds = explain_rows(rng, model, X)
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
            "X_train": X.tolist(),
            "rows": rows.tolist(),
            "kinds": kinds,
            "shap_values": phi.tolist(),
            "expected_value": expected,
            "expected_value_glibc_log": expected_value_with(model, glibc_average_path_length),
            "score_samples": model.score_samples(rows).tolist(),
            "decision_function": model.decision_function(rows).tolist(),
            "max_samples_": int(model.max_samples_),
            "offset_": float(model.offset_),
        }
        write_case(OUT, name, doc)
        index.append(name)
        print(f"{name}: {len(rows)} rows, expected_value {expected!r}")
    write_index(OUT, index)


if __name__ == "__main__":
    main()
