#!/usr/bin/python3
"""shap's side of `npm run bench:explain` (run inside .cache/shap-venv).

Reads a JSON spec {cases: [{name, X_train, params, rows, rounds, single}]} on stdin, fits
scikit-learn's IsolationForest on the same rows with the same parameters (the engine's native fit
grows the same trees), and times `TreeExplainer(model).shap_values(rows)`: `rounds` passes over
all rows, and `single` one-row calls. Prints JSON with the timings and the values.
"""
import json
import sys
import time

import numpy as np
import shap
from sklearn.ensemble import IsolationForest


def main():
    spec = json.load(sys.stdin)
    out = {"shap": shap.__version__, "cases": []}
    for case in spec["cases"]:
        X = np.asarray(case["X_train"], dtype=np.float64)
        rows = np.asarray(case["rows"], dtype=np.float64)
        params = dict(case["params"])
        # JSON writes 1.0 as 1, which scikit-learn would read as a count of one feature.
        params["max_features"] = float(params["max_features"])
        model = IsolationForest(**params).fit(X)
        explainer = shap.TreeExplainer(model)
        passes = []
        phi = None
        for _ in range(case["rounds"]):
            t = time.perf_counter()
            phi = explainer.shap_values(rows)
            passes.append(time.perf_counter() - t)
        singles = []
        for i in range(case["single"]):
            r = rows[i % len(rows)][None, :]
            t = time.perf_counter()
            explainer.shap_values(r)
            singles.append(time.perf_counter() - t)
        out["cases"].append({
            "name": case["name"],
            "pass_seconds": passes,
            "single_seconds": singles,
            "shap_values": phi.tolist(),
            "expected_value": float(np.asarray(explainer.expected_value).reshape(-1)[0]),
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
