"""Real scikit-learn 1.9.1 files the reader must refuse, each with the reason it must give.

    scripts/sklearn-releases/.venvs/sklearn-1.9.1/bin/python \
        scripts/sklearn-releases/gen-unsupported.py --out test/fixtures/sklearn-releases/unsupported

Every file is a real fitted IsolationForest pickled by the real pickler; changes are made on the
Python objects (never by editing bytes), through `Pickler.reducer_override` where the layout
itself changes:

* future-categorical.p5.pkl: the node layout of scikit-learn's unreleased main (categorical
  splits): a `left_cat_bitset` field (uint32[8]) after `threshold`, and a fourth `Tree.__reduce__`
  argument (`n_categories`);
* tampered-depths / tampered-average: `_decision_path_lengths` or
  `_average_path_length_per_tree` changed on one node, so the stored per-tree arrays disagree with
  the trees;
* pcg64-random-state: a `RandomState(PCG64(1))` as `random_state` (not the MT19937 scikit-learn
  seeds with);
* k-order-array.p5.pkl: an extra attribute holding an array numpy 2.3+ pickles with
  `_frombuffer(..., 'K', axis_order)`;
* xz.joblib: `joblib.dump(..., compress=('xz', 3))`, a compressor the reader does not read.

Plus one file the reader must read although gen.py's forms never produce it:

* joblib-unaligned.joblib: gen.py's `default` case dumped by joblib to a stream without `tell()`
  (a pipe, a socket), where joblib writes no alignment pad (`numpy_array_alignment_bytes` None).

manifest.json maps each refused file to the error class and a message fragment (with the byte
offset where the reader reports one), and each readable one to the case it reproduces
(`same_as`).
"""
import argparse
import io
import json
import os
import pickle

import sys

import joblib
import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.tree._tree import Tree


def fitted():
    X = np.random.RandomState(3).randn(24, 2)
    return IsolationForest(n_estimators=2, random_state=0).fit(X)


def future_categorical(model):
    """Pickle with the unreleased main branch's node layout and Tree arguments."""
    nodes_dtype = None

    class FuturePickler(pickle.Pickler):
        def reducer_override(self, obj):
            if isinstance(obj, Tree):
                cls, args, state = obj.__reduce__()
                old = state["nodes"]
                names = list(old.dtype.names)
                fields = []
                for name in names:
                    fields.append((name, old.dtype.fields[name][0]))
                    if name == "threshold":
                        fields.append(("left_cat_bitset", np.uint32, (8,)))
                new = np.zeros(old.shape, dtype=np.dtype(fields))
                for name in names:
                    new[name] = old[name]
                state = dict(state, nodes=new)
                n_categories = np.full(args[0], -1, dtype=np.intp)
                return cls, (*args, n_categories), state
            return NotImplemented

    buf = io.BytesIO()
    FuturePickler(buf, protocol=5).dump(model)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    manifest = {}

    def write(name, data, error, message):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        manifest[name] = {"bytes": len(data), "error": error, "message": message}

    model = fitted()
    write("future-categorical.p5.pkl", future_categorical(model), "PickleFormatError",
          "unsupported scikit-learn tree layout: Tree has a 4th argument (n_categories), "
          "the categorical-split layout of scikit-learn after 1.9")

    depths = fitted()
    dpl = [a.copy() for a in depths._decision_path_lengths]
    dpl[1][2] += 1
    depths._decision_path_lengths = tuple(dpl)
    write("tampered-depths.p4.pkl", pickle.dumps(depths, protocol=4), "PickleFormatError",
          "_decision_path_lengths[1][2]")

    average = fitted()
    apl = [a.copy() for a in average._average_path_length_per_tree]
    apl[0][1] = np.nextafter(apl[0][1], np.inf) + 1e-9
    average._average_path_length_per_tree = tuple(apl)
    write("tampered-average.p5.pkl", pickle.dumps(average, protocol=5), "PickleFormatError",
          "_average_path_length_per_tree[0][1]")

    pcg = fitted()
    pcg.random_state = np.random.RandomState(np.random.PCG64(1))
    write("pcg64-random-state.p4.pkl", pickle.dumps(pcg, protocol=4), "PickleSecurityError",
          "refused global numpy.random._pcg64.PCG64")

    # numpy 2.3+ pickles an array that is neither C- nor F-contiguous but transposes to one as
    # _frombuffer(..., 'K', axis_order): never part of an IsolationForest, refused by name.
    k_order = fitted()
    k_order.extra_array_ = np.arange(24.0).reshape(2, 3, 4).transpose(1, 0, 2)
    write("k-order-array.p5.pkl", pickle.dumps(k_order, protocol=5), "PickleFormatError",
          "_frombuffer axis_order (1, 0, 2) is neither C nor F order")

    path = os.path.join(out, "xz.joblib")
    joblib.dump(model, path, compress=("xz", 3))
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    write("xz.joblib", data, "PickleFormatError", "joblib files compressed with xz")

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import gen  # noqa: E402 - gen.py's own configurations

    class Unseekable(io.RawIOBase):
        """A write-only stream without tell(), like a pipe."""

        def __init__(self):
            self.chunks = []

        def writable(self):
            return True

        def write(self, b):
            self.chunks.append(bytes(b))
            return len(b)

        def tell(self):
            raise io.UnsupportedOperation("tell")

    default, *_ = gen.fit(dict(), "array")
    stream = Unseekable()
    joblib.dump(default, stream)
    data = b"".join(stream.chunks)
    with open(os.path.join(out, "joblib-unaligned.joblib"), "wb") as f:
        f.write(data)
    manifest["joblib-unaligned.joblib"] = {"bytes": len(data), "same_as": "1.9.1/default"}

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
