"""What both explanation fixture generators share (gen-shap-fixtures.py for scikit-learn 1.2.1,
gen-shap-missing-fixtures.py for 1.6.1): imported after shap_env.ensure(), inside the venv."""
import json
import math
import os

import numpy as np
import shap
import sklearn
import sklearn.ensemble._iforest as iforest_module


def glibc_average_path_length(n_samples_leaf):
    """scikit-learn's `_average_path_length` with glibc's log (math.log), which is what numpy's
    log gives on CPUs without AVX-512. numpy's AVX-512 log differs by an ulp for some n
    (735 of n <= 4096), which moves shap's expected_value by an ulp on such CPUs."""
    n = np.asarray(n_samples_leaf)
    out = np.zeros(n.shape, dtype=np.float64)
    flat = out.reshape(-1)
    for i, v in enumerate(n.reshape(-1)):
        v = int(v)
        flat[i] = 0.0 if v <= 1 else 1.0 if v == 2 else (
            2.0 * (math.log(v - 1.0) + np.euler_gamma) - 2.0 * (v - 1.0) / v)
    return out


def expected_value_with(model, average_path_length):
    """shap's expected_value with scikit-learn's `_average_path_length` swapped for `average_path_length`."""
    original = iforest_module._average_path_length
    iforest_module._average_path_length = average_path_length
    try:
        return float(np.asarray(shap.TreeExplainer(model).expected_value).reshape(-1)[0])
    finally:
        iforest_module._average_path_length = original


def f32(a):
    """Values rounded to float32, as doubles."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def write_case(out, name, doc):
    """Writes one case as compact JSON to OUT/name.json."""
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def write_index(out, names):
    """Writes OUT/index.json: the case names and the shap and scikit-learn versions."""
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"cases": names, "shap": shap.__version__, "sklearn": sklearn.__version__}, f,
                  indent=1)
        f.write("\n")
