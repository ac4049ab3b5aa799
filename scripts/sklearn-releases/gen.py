"""Fixtures from one real scikit-learn release: run by gen.sh with that release's venv.

    .venvs/sklearn-1.9.1/bin/python gen.py --out test/fixtures/sklearn-releases/1.9.1

For each configuration (CONFIGS) it fits an IsolationForest on a small fixed data set, saves it
with pickle protocols 2 to 5 and with joblib.dump (uncompressed and compress=3), and records what
this release computes: score_samples, decision_function, predict, offset_, every row's leaf in
every tree and its path-length sum (scikit-learn's own `depths` accumulator), and the tree arrays
(for the training-parity tests).

Fixtures are kept compact: 3 trees on 32 rows; the pickle files are stored gzip-compressed
(`NAME.FORM.pkl.gz`, the exact bytes Python wrote, sha256 in the manifest), except the joblib
compress=3 file, already zlib, which is stored as written. Protocol 3 writes bytes like protocol
4 without framing; it is kept because notebooks on older Pythons wrote it.
"""
import argparse
import gzip
import hashlib
import io
import json
import math
import os
import pickle
import pickletools
import platform
import sys
import warnings

import joblib
import numpy as np
import pandas as pd
import sklearn
import scipy
from sklearn.ensemble import IsolationForest

VERSION = tuple(int(x) for x in sklearn.__version__.split(".")[:2])
NAN_FIT = VERSION >= (1, 6)
N_ESTIMATORS = 3
COLUMNS = ["cpu_usage", "memory_load", "disk_io"]


def training_data():
    """32 rows, 3 features: a gaussian blob, a shifted blob, three outliers and exact duplicates."""
    rs = np.random.RandomState(20240601)
    blob = rs.randn(18, 3) * [1.0, 0.5, 2.0] + [0.0, 1.0, -1.0]
    shifted = rs.randn(9, 3) * 0.3 + [3.0, 3.0, 3.0]
    outliers = np.array([[8.0, -6.0, 0.5], [-7.5, 9.25, 12.0], [0.1, 0.1, -9.0]])
    dups = np.repeat([[1.5, 1.5, 1.5]], 2, axis=0)
    return np.vstack([blob, shifted, outliers, dups])


def with_nan(X):
    """The same rows with about 12% of the cells missing (one row entirely)."""
    X = X.copy()
    rs = np.random.RandomState(99)
    mask = rs.rand(*X.shape) < 0.12
    X[mask] = np.nan
    X[5, :] = np.nan
    return X


CONFIGS = [
    ("default", dict(), "array"),
    ("ms_int", dict(max_samples=16), "array"),
    ("ms_float", dict(max_samples=0.5), "array"),
    ("mf_frac", dict(max_features=0.67), "array"),
    ("bootstrap", dict(bootstrap=True, max_samples=24), "array"),
    ("cont_auto", dict(contamination="auto", max_samples=20), "array"),
    ("cont_float", dict(contamination=0.1), "array"),
    ("named", dict(contamination=0.15), "frame"),
    ("rs_instance", dict(random_state="instance"), "array"),
]
if NAN_FIT:
    CONFIGS += [
        ("nan", dict(), "nan-array"),
        ("nan_named", dict(contamination=0.15, max_features=0.67), "nan-frame"),
    ]

FORMS = ["p2", "p3", "p4", "p5", "joblib", "joblib-z3"]


def fit(kwargs, data_kind):
    kwargs = dict(kwargs)
    if kwargs.get("random_state") == "instance":
        kwargs["random_state"] = np.random.RandomState(7)
        seed = 7
    else:
        kwargs.setdefault("random_state", 0)
        seed = kwargs["random_state"]
    X = training_data()
    if data_kind.startswith("nan"):
        X = with_nan(X)
    model = IsolationForest(n_estimators=N_ESTIMATORS, **kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if data_kind.endswith("frame"):
            model.fit(pd.DataFrame(X, columns=COLUMNS))
        else:
            model.fit(X)
    return model, X, seed, [str(w.message) for w in caught]


def save(model, form):
    if form.startswith("p"):
        return pickle.dumps(model, protocol=int(form[1]))
    buf = io.BytesIO()
    # A file name, as users call it: joblib writes the alignment pad only to seekable files.
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"sklearn-releases-{os.getpid()}.joblib")
    joblib.dump(model, path, compress=3 if form == "joblib-z3" else 0)
    with open(path, "rb") as f:
        buf.write(f.read())
    os.unlink(path)
    return buf.getvalue()


def describe_pickle(data):
    """Globals and opcodes of a plain pickle (joblib streams stop pickletools at inline data).

    STACK_GLOBAL takes its module and name from the two values pushed before it, which may come
    from the memo (BINGET), so pushed strings and memo slots are tracked.
    """
    globals_, opcodes = set(), set()
    pushed, memo = [], {}
    try:
        for op, arg, _ in pickletools.genops(data):
            opcodes.add(op.name)
            if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE"):
                pushed.append(arg)
            elif op.name == "MEMOIZE":
                memo[len(memo)] = pushed[-1] if pushed else None
            elif op.name in ("BINPUT", "LONG_BINPUT", "PUT"):
                memo[arg] = pushed[-1] if pushed else None
            elif op.name in ("BINGET", "LONG_BINGET", "GET"):
                pushed.append(memo.get(arg))
            elif op.name == "GLOBAL":
                globals_.add(arg.replace(" ", "."))
                pushed.append(None)
            elif op.name == "STACK_GLOBAL":
                module, name = pushed[-2], pushed[-1]
                globals_.add(f"{module}.{name}")
                pushed.append(None)
            elif op.name not in ("FRAME", "PROTO", "STOP"):
                pushed.append(None)
    except Exception:
        return None, None
    return sorted(globals_), sorted(opcodes)


def eval_rows(model, X_train):
    """Rows to score: training rows, edge values, and thresholds taken from the trees."""
    rows = [list(r) for r in X_train[:6]]
    d = X_train.shape[1]
    rows += [[0.0] * d, [-0.0] * d, [1e10] * d, [-1e10] * d, [3.0e38, -3.0e38, 1e-40][:d] + [0.0] * (d - 3)]
    rows += [[1e-45, -1e-45, 5e-324][:d] + [0.0] * (d - 3), [2.5, -2.5, 0.5][:d] + [0.0] * (d - 3)]
    # Exactly on a split threshold, and the float32 neighbours of the float64 threshold.
    for t, est in enumerate(model.estimators_[:2]):
        tree = est.tree_
        feats = model.estimators_features_[t]
        for node in range(min(tree.node_count, 6)):
            if tree.children_left[node] < 0:
                continue
            col = int(feats[tree.feature[node]])
            thr = float(tree.threshold[node])
            for v in (thr, float(np.nextafter(np.float32(thr), np.float32(np.inf))),
                      float(np.nextafter(np.float32(thr), np.float32(-np.inf))),
                      float(np.nextafter(thr, np.inf))):
                row = [float(x) for x in X_train[node % len(X_train)]]
                row = [0.0 if math.isnan(x) else x for x in row]
                row[col] = v
                rows.append(row)
    if NAN_FIT:
        for j in range(d):
            row = [0.25] * d
            row[j] = math.nan
            rows.append(row)
        rows.append([math.nan] * d)
        rows.append([math.nan, 8.0, -6.0][:d])
        rows.append([3.0, math.nan, 3.0][:d])
    return np.array(rows, dtype=np.float64)


def special_rows(model, frame):
    """Rows some releases refuse: infinities, NaN (before 1.6), float32 overflow."""
    out = []
    d = model.n_features_in_
    cases = [("inf", [math.inf] + [0.0] * (d - 1)), ("-inf", [0.0] * (d - 1) + [-math.inf]),
             ("f32-overflow", [1e39] + [0.0] * (d - 1))]
    if not NAN_FIT:
        cases.append(("nan", [math.nan] + [0.0] * (d - 1)))
    for name, row in cases:
        X = np.array([row])
        if frame:
            X = pd.DataFrame(X, columns=COLUMNS)
        try:
            s = model.score_samples(X)
            out.append({"case": name, "row": jsonable(row), "accepted": True,
                        "score_samples": [float(s[0])], "predict": [int(model.predict(X)[0])]})
        except Exception as e:  # noqa: BLE001 - the message is the expectation
            out.append({"case": name, "row": jsonable(row), "accepted": False,
                        "error": type(e).__name__, "message": str(e)})
    return out


def leaves_and_depths(model, X):
    """Each row's leaf per tree, and scikit-learn's own path-length accumulator (`depths`)."""
    X32 = X.astype(np.float32)
    leaves, depths = [], np.zeros(X.shape[0], order="F")
    for t, (est, feats) in enumerate(zip(model.estimators_, model.estimators_features_)):
        leaf = est.tree_.apply(np.ascontiguousarray(X32[:, feats]))
        leaves.append(leaf.tolist())
        depths += (model._decision_path_lengths[t][leaf]
                   + model._average_path_length_per_tree[t][leaf] - 1.0)
    return [list(r) for r in zip(*leaves)], depths.tolist()


def jsonable(x):
    if isinstance(x, float):
        # JSON has no NaN or infinity: NaN (a missing value) is null, infinities are strings.
        if math.isnan(x):
            return None
        return x if math.isfinite(x) else ("Infinity" if x > 0 else "-Infinity")
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (np.floating,)):
        return jsonable(float(x))
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def tree_dump(model):
    trees = []
    for t, (est, feats) in enumerate(zip(model.estimators_, model.estimators_features_)):
        tree = est.tree_
        nodes = tree.__getstate__()["nodes"]
        trees.append({
            "random_state": int(est.random_state),
            "features": [int(f) for f in feats],
            "children_left": tree.children_left.tolist(),
            "children_right": tree.children_right.tolist(),
            "feature": tree.feature.tolist(),
            "threshold": tree.threshold.tolist(),
            "n_node_samples": tree.n_node_samples.tolist(),
            "missing_go_to_left": nodes["missing_go_to_left"].astype(int).tolist(),
            "max_depth": int(tree.max_depth),
            "decision_path_lengths": model._decision_path_lengths[t].tolist(),
            "average_path_length": model._average_path_length_per_tree[t].tolist(),
        })
    return trees


def params_of(model):
    p = model.get_params()
    keep = {}
    for k in ("n_estimators", "max_samples", "contamination", "max_features", "bootstrap",
              "random_state"):
        v = p[k]
        keep[k] = "RandomState" if isinstance(v, np.random.RandomState) else v
    return keep


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        os.unlink(os.path.join(args.out, name))
    versions = {
        "python": platform.python_version(), "sklearn": sklearn.__version__,
        "numpy": np.__version__, "scipy": scipy.__version__, "joblib": joblib.__version__,
        "pandas": pd.__version__, "machine": platform.machine(),
    }
    manifest = {"versions": versions, "files": {}, "cases": []}
    for name, kwargs, data_kind in CONFIGS:
        model, X_train, seed, fit_warnings = fit(kwargs, data_kind)
        frame = data_kind.endswith("frame")
        X = eval_rows(model, X_train)
        Xin = pd.DataFrame(X, columns=COLUMNS) if frame else X
        leaves, depths = leaves_and_depths(model, X)
        case = {
            "name": name,
            "versions": versions,
            "params": params_of(model),
            "seed": seed,
            "data": data_kind,
            "fit_warnings": fit_warnings,
            "X_train": jsonable(X_train),
            "fitted": {
                "offset_": float(model.offset_),
                "max_samples_": int(model.max_samples_),
                "_max_features": int(model._max_features),
                "n_features_in_": int(model.n_features_in_),
                "_n_samples": int(model._n_samples),
                "feature_names_in_": (list(model.feature_names_in_)
                                      if hasattr(model, "feature_names_in_") else None),
                "_seeds": [int(s) for s in model._seeds],
                "state_keys": list(model.__getstate__().keys()),
            },
            "X": jsonable(X),
            "score_samples": model.score_samples(Xin).tolist(),
            "decision_function": model.decision_function(Xin).tolist(),
            "predict": model.predict(Xin).tolist(),
            "leaves": leaves,
            "path_length_sum": depths,
            "special": special_rows(model, frame),
            "trees": tree_dump(model),
            "files": {},
        }
        seen = {}
        for form in FORMS:
            data = save(model, form)
            # The saved file loads back to the same outputs in this release.
            reloaded = pickle.loads(data) if form.startswith("p") else joblib.load(io.BytesIO(data))
            assert np.array_equal(reloaded.score_samples(Xin), model.score_samples(Xin), equal_nan=True)
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:
                case["files"][form] = seen[digest]
                continue
            stored = f"{name}.{form}.pkl" + ("" if form == "joblib-z3" else ".gz")
            with open(os.path.join(args.out, stored), "wb") as f:
                f.write(data if form == "joblib-z3" else gzip.compress(data, 9, mtime=0))
            globals_, opcodes = describe_pickle(data) if form.startswith("p") else (None, None)
            manifest["files"][stored] = {
                "case": name, "format": form, "bytes": len(data), "sha256": digest,
                "protocol": data[1] if data[0] == 0x80 else None,
                "globals": globals_, "opcodes": opcodes,
            }
            seen[digest] = stored
            case["files"][form] = stored
        with open(os.path.join(args.out, f"{name}.json"), "w") as f:
            json.dump(case, f, allow_nan=False, separators=(",", ":"))
        manifest["cases"].append(name)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, allow_nan=False)
    print(f"{sklearn.__version__}: {len(manifest['cases'])} cases, {len(manifest['files'])} files")


if __name__ == "__main__":
    sys.exit(main())
