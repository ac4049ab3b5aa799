#!/usr/bin/python3
"""Pickles of real scikit-learn IsolationForests in layouts the parity fixtures do not cover,
plus files that are readable pickles but not usable IsolationForests.

Run with the Debian interpreter (scikit-learn 1.2.1, numpy 1.24, joblib 1.2):

    /usr/bin/python3 scripts/gen-sklearn-variants.py    # writes test/fixtures/sklearn-variants/

Every model comes from a parity fixture in test/fixtures/sklearn/ (loaded with pickle.loads,
i.e. exactly the trees sklearn fitted) and is re-pickled with the real `pickle` / joblib picklers.
Layout changes are made with `Pickler.reducer_override` (never by editing bytes):

* numpy 2.x module names: numpy 2 pickles arrays with `numpy._core.multiarray._reconstruct`,
  `numpy._core.numeric._frombuffer` and `numpy._core.multiarray.scalar`. numpy 1.24 has no
  `numpy._core`, so stand-in modules of that name are registered whose functions forward to
  numpy 1.24's; the pickler then writes the numpy 2 names, and `pickle.loads` (which resolves
  them to the stand-ins) proves the files load and score like the originals.
* scikit-learn >= 1.3 node struct: `missing_go_to_left` (u1) at offset 56, itemsize 64. The Tree
  state's `nodes` array is swapped for one with that dtype (1.2.1 itself refuses to unpickle it,
  as 1.3 refuses 1.2 files: cross-version pickles are not supported by scikit-learn).
* 32-bit builds' node struct (`<i4` indices, itemsize 40) and a big-endian node struct: the same
  node values in other layouts, to show nodes are read by field name, offset and byte order.

manifest.json records, per file, what a reader should produce (`same_as`: the parity fixture
whose trees and outputs it must reproduce) or the error it should report (`error`, `message`).
"""
import hashlib
import io
import json
import os
import pickle
import sys
import types

import numpy as np
import joblib
from joblib import numpy_pickle as jnp
from sklearn.ensemble import IsolationForest, RandomForestRegressor
from sklearn.tree import ExtraTreeRegressor
from sklearn.tree._tree import Tree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "sklearn")
OUT = os.path.join(ROOT, "test", "fixtures", "sklearn-variants")


def load_fixture(name):
    with open(os.path.join(FIXTURES, name + ".p4.pkl"), "rb") as f:
        return pickle.load(f)


# ---- numpy 2.x names ------------------------------------------------------------------------

def _stand_in(module_name, name, target):
    def fn(*args):
        return target(*args)
    fn.__module__ = module_name
    fn.__qualname__ = name
    fn.__name__ = name
    return fn


def install_numpy2_modules():
    core = types.ModuleType("numpy._core")
    multiarray = types.ModuleType("numpy._core.multiarray")
    numeric = types.ModuleType("numpy._core.numeric")
    multiarray._reconstruct = _stand_in(
        "numpy._core.multiarray", "_reconstruct", np.core.multiarray._reconstruct)
    multiarray.scalar = _stand_in("numpy._core.multiarray", "scalar", np.core.multiarray.scalar)
    numeric._frombuffer = _stand_in("numpy._core.numeric", "_frombuffer", np.core.numeric._frombuffer)
    core.multiarray, core.numeric = multiarray, numeric
    sys.modules.update({"numpy._core": core, "numpy._core.multiarray": multiarray,
                        "numpy._core.numeric": numeric})
    return multiarray, numeric


NP2_MULTIARRAY, NP2_NUMERIC = install_numpy2_modules()
RENAMED = {
    np.core.multiarray._reconstruct: NP2_MULTIARRAY._reconstruct,
    np.core.multiarray.scalar: NP2_MULTIARRAY.scalar,
    np.core.numeric._frombuffer: NP2_NUMERIC._frombuffer,
}


def numpy2_reduce(obj, protocol):
    """numpy's own reduction of an array or scalar, with the numpy 2 function names."""
    if isinstance(obj, (np.ndarray, np.generic)) and type(obj) is not np.dtype:
        rv = obj.__reduce_ex__(protocol)
        if rv[0] in RENAMED:
            return (RENAMED[rv[0]],) + tuple(rv[1:])
    return NotImplemented


# ---- node struct layouts ----------------------------------------------------------------------

NODE_FIELDS = ["left_child", "right_child", "feature", "threshold", "impurity",
               "n_node_samples", "weighted_n_node_samples"]


def relayout(nodes, layout):
    """The same node values in another struct layout."""
    if layout == "node64":   # scikit-learn >= 1.3
        dt = np.dtype({"names": NODE_FIELDS + ["missing_go_to_left"],
                       "formats": ["<i8", "<i8", "<i8", "<f8", "<f8", "<i8", "<f8", "u1"],
                       "offsets": [0, 8, 16, 24, 32, 40, 48, 56], "itemsize": 64})
    elif layout == "i4":     # 32-bit builds: SIZE_t is 4 bytes, doubles 4-byte aligned
        dt = np.dtype({"names": NODE_FIELDS,
                       "formats": ["<i4", "<i4", "<i4", "<f8", "<f8", "<i4", "<f8"],
                       "offsets": [0, 4, 8, 12, 20, 28, 32], "itemsize": 40})
    elif layout == "bigendian":  # e.g. s390x; fields in another order, too
        dt = np.dtype({"names": ["threshold", "left_child", "right_child", "feature", "impurity",
                                 "n_node_samples", "weighted_n_node_samples"],
                       "formats": [">f8", ">i8", ">i8", ">i8", ">f8", ">i8", ">f8"],
                       "offsets": [0, 8, 16, 24, 32, 40, 48], "itemsize": 56})
    else:
        raise ValueError(layout)
    out = np.zeros(nodes.shape, dtype=dt)
    for name in NODE_FIELDS:
        out[name] = nodes[name]
    if layout == "node64":
        # Internal nodes send missing values left in 1.3+ trees fitted without NaN.
        out["missing_go_to_left"] = (nodes["left_child"] != -1).astype(np.uint8)
    for name in NODE_FIELDS:
        assert np.array_equal(out[name], nodes[name]), name
    return out


def tree_reduce(obj, layout, mutate=None):
    if not isinstance(obj, Tree):
        return NotImplemented
    cls, args, state = obj.__reduce__()
    state = dict(state)
    if layout is not None:
        state["nodes"] = relayout(state["nodes"], layout)
    if mutate is not None:
        mutate(state)
    return cls, args, state


def dumps(model, protocol, numpy2=False, layout=None, mutate_tree=None):
    buf = io.BytesIO()

    class P(pickle.Pickler):
        def reducer_override(self, obj):
            if numpy2:
                rv = numpy2_reduce(obj, protocol)
                if rv is not NotImplemented:
                    return rv
            if layout is not None or mutate_tree is not None:
                return tree_reduce(obj, layout, mutate_tree)
            return NotImplemented

    P(buf, protocol=protocol).dump(model)
    return buf.getvalue()


def joblib_bytes(model, numpy2=False, layout=None):
    buf = io.BytesIO()

    class P(jnp.NumpyPickler):
        def reducer_override(self, obj):
            if numpy2 and isinstance(obj, np.generic):
                rv = numpy2_reduce(obj, self.proto)
                if rv is not NotImplemented:
                    return rv
            if layout is not None:
                return tree_reduce(obj, layout)
            return NotImplemented

    P(buf, protocol=4).dump(model)
    return buf.getvalue()


def scores(model, name):
    with open(os.path.join(FIXTURES, name + ".json")) as f:
        X = np.asarray(json.load(f)["X"], dtype=np.float64)
    return model.score_samples(X)


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {}

    def write(fname, data, **expect):
        with open(os.path.join(OUT, fname), "wb") as f:
            f.write(data)
        manifest[fname] = dict(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), **expect)

    # -- numpy 2 names: d2_n10_ms64_boot_c005 has a numpy.float64 offset_ (the scalar global).
    base = "d2_n10_ms64_boot_c005"
    model = load_fixture(base)
    for protocol in (2, 4, 5):
        data = dumps(model, protocol, numpy2=True)
        assert b"numpy.core" not in data and b"numpy._core" in data
        again = pickle.loads(data)  # resolves the numpy 2 names to the stand-ins
        assert np.array_equal(scores(again, base), scores(model, base))
        write(f"{base}.numpy2.p{protocol}.pkl", data, same_as=base,
              note=f"numpy 2.x module names (numpy._core), protocol {protocol}")
    data = joblib_bytes(model, numpy2=True)
    assert b"numpy._core.multiarray" in data
    write(f"{base}.numpy2.joblib.pkl", data, same_as=base,
          note="joblib 1.2 file with numpy 2.x module names (the offset_ scalar)")

    # -- node layouts: d5_n10_ms05_mf06 has feature subsets (estimators_features_ remapping).
    base = "d5_n10_ms05_mf06"
    model = load_fixture(base)
    write(f"{base}.node64.p4.pkl", dumps(model, 4, layout="node64"), same_as=base,
          note="scikit-learn >= 1.3 node struct: missing_go_to_left u1 at offset 56, itemsize 64")
    write(f"{base}.node64-numpy2.p5.pkl", dumps(model, 5, numpy2=True, layout="node64"),
          same_as=base,
          note="the layout of a recent stack: protocol 5 (Python 3.14's default), numpy 2 "
               "names, 64-byte nodes")
    write(f"{base}.node64.joblib.pkl", joblib_bytes(model, layout="node64"), same_as=base,
          note="joblib file with 64-byte nodes")
    write(f"{base}.node-i4.p4.pkl", dumps(model, 4, layout="i4"), same_as=base,
          note="32-bit build node struct: <i4 indices, itemsize 40")
    write(f"{base}.node-bigendian.p4.pkl", dumps(model, 4, layout="bigendian"), same_as=base,
          note="big-endian node struct with the fields in another order")

    # -- readable pickles that are not usable IsolationForests.
    small = load_fixture("edge_one_sample")
    X = np.random.RandomState(0).randn(40, 2)
    tree = ExtraTreeRegressor(random_state=0).fit(X, X[:, 0])
    write("not-iforest.extra-tree.p4.pkl", pickle.dumps(tree, protocol=4),
          error="PickleFormatError", message="ExtraTreeRegressor instance, not a sklearn.ensemble.IsolationForest")
    write("not-iforest.dict.p4.pkl", pickle.dumps({"model": [1, 2.5, "x"]}, protocol=4),
          error="PickleFormatError", message="the file holds dict, not a sklearn.ensemble.IsolationForest")
    write("not-iforest.list.p2.pkl", pickle.dumps([1, 2, 3], protocol=2),
          error="PickleFormatError", message="the file holds list of 3, not a sklearn.ensemble.IsolationForest")
    forest = RandomForestRegressor(n_estimators=2, max_depth=2, random_state=0).fit(X, X[:, 0])
    write("not-iforest.random-forest.p4.pkl", pickle.dumps(forest, protocol=4),
          error="PickleSecurityError", message="refused global sklearn.ensemble._forest.RandomForestRegressor")
    write("not-iforest.unfitted.p4.pkl", pickle.dumps(IsolationForest(), protocol=4),
          error="PickleFormatError", message="the IsolationForest is not fitted")
    # A RandomState instance as random_state is read as an inert value since the 1.3-1.9 work:
    # the real files in test/fixtures/sklearn-releases/*/rs_instance.* cover it.

    # -- IsolationForests whose parts disagree.
    def bad(fname, message, protocol=4, model=small, **kw):
        write(fname, dumps(model, protocol, **kw), error="PickleFormatError", message=message)

    def node_count_off(state):
        state["node_count"] = state["node_count"] + 1

    def cycle(state):
        nodes = state["nodes"].copy()
        nodes["left_child"][1] = 0
        state["nodes"] = nodes

    def leaf_with_one_child(state):
        nodes = state["nodes"].copy()
        nodes["right_child"][0] = -1
        state["nodes"] = nodes

    def nan_threshold(state):
        nodes = state["nodes"].copy()
        nodes["threshold"][0] = np.nan
        state["nodes"] = nodes

    def leaf_feature(state):
        nodes = state["nodes"].copy()
        leaf = int(np.flatnonzero(nodes["left_child"] == -1)[0])
        nodes["feature"][leaf] = 0
        state["nodes"] = nodes

    def sample_counts(state):
        nodes = state["nodes"].copy()
        nodes["n_node_samples"][1] += 1
        state["nodes"] = nodes

    def wrong_depth(state):
        state["max_depth"] = state["max_depth"] + 3

    mid = load_fixture("edge_dups_const")
    bad("inconsistent.node-count.p4.pkl", "nodes has shape (", model=mid, mutate_tree=node_count_off)
    bad("inconsistent.cycle.p4.pkl", "estimators_[0].tree_: node 1 has children 0,", model=mid,
        mutate_tree=cycle)
    bad("inconsistent.one-child.p4.pkl", "node 0 has exactly one child", model=mid,
        mutate_tree=leaf_with_one_child)
    bad("inconsistent.nan-threshold.p4.pkl", "node 0 has a non-finite threshold", model=mid,
        mutate_tree=nan_threshold)
    bad("inconsistent.max-depth.p4.pkl", "max_depth is ", model=mid, mutate_tree=wrong_depth)
    bad("inconsistent.leaf-feature.p4.pkl", "is a leaf but has feature 0 and threshold -2", model=mid,
        mutate_tree=leaf_feature)
    bad("inconsistent.sample-counts.p4.pkl", "samples but its children have", model=mid,
        mutate_tree=sample_counts)

    m = pickle.loads(pickle.dumps(mid))
    m.n_estimators = 11
    bad("inconsistent.n-estimators.p4.pkl",
        "n_estimators is 11 but estimators_ has 10 trees and estimators_features_ 10", model=m)
    m = pickle.loads(pickle.dumps(mid))
    m.estimators_features_[3] = np.array([0, 7, 1])
    bad("inconsistent.feature-index.p4.pkl",
        "estimators_features_[3] uses feature 7, outside [0, 3)", model=m)
    m = pickle.loads(pickle.dumps(mid))
    m._max_features = 1
    bad("inconsistent.max-features.p4.pkl", "estimators_features_[0] has 3 features but _max_features is 1", model=m)
    m = pickle.loads(pickle.dumps(mid))
    m.offset_ = -0.4
    bad("inconsistent.offset-auto.p4.pkl",
        "offset_ must be -0.5 when contamination is 'auto', got -0.4", model=m)
    m = pickle.loads(pickle.dumps(mid))
    m.max_samples_ = 13
    bad("inconsistent.max-samples.p4.pkl", "max_samples_ is 13 but max_samples gives 12 of 12 rows",
        model=m)
    m = pickle.loads(pickle.dumps(mid))
    m.offset_ = float("inf")
    bad("inconsistent.offset.p4.pkl", "offset_ is Infinity", model=m)
    m = pickle.loads(pickle.dumps(mid))
    m.estimators_features_ = m.estimators_features_[:9]
    bad("inconsistent.features-list.p4.pkl",
        "n_estimators is 10 but estimators_ has 10 trees and estimators_features_ 9", model=m)

    # -- joblib compressors other than zlib (recognised, refused with a clear message).
    for compressor in ("gzip", "bz2", "xz", "lzma"):
        buf = io.BytesIO()
        path = os.path.join(OUT, f"compressed.{compressor}.joblib")
        joblib.dump(small, path, compress=(compressor, 3))
        with open(path, "rb") as f:
            data = f.read()
        os.remove(path)
        write(f"compressed.{compressor}.joblib", data, error="PickleFormatError",
              message=f"joblib files compressed with {compressor} ")

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(manifest)} files to {OUT}")


if __name__ == "__main__":
    main()
