#!/usr/bin/python3
"""Hostile pickle and joblib files for the safe reader's tests (test/fixtures/hostile/).

Run with the Debian interpreter (scikit-learn 1.2.1, numpy 1.24, joblib 1.2):

    /usr/bin/python3 scripts/gen-hostile-pickles.py

Every file is written by the real `pickle` module or joblib's pickler (a custom
`reducer_override`, `persistent_id`, `buffer_callback` or copyreg extension where needed).
Opcodes CPython's pickler can no longer emit (INST, OBJ) and corruptions of valid files (memo
tricks, a huge FRAME length) are made by editing the bytes of a real pickle, checked with
`pickletools`.

Code payloads all try to create MARKER. Before writing them, this script proves they are live:
it loads each one with Python's own `pickle.loads` / `joblib.load` in a child process and checks
that the marker file appears (then removes it). The TypeScript tests assert the opposite: the
reader refuses every file, names the offending global or opcode and its byte offset, and the
marker never appears.

manifest.json, per file: the error class and a message fragment the reader must report, and the
byte offset of the first offending opcode when this script can compute it independently
(pickletools for plain pickles, a byte search for joblib files whose inline arrays pickletools
cannot parse; offsets of zlib files refer to the inflated stream).
"""
import copyreg
import hashlib
import io
import json
import os
import pickle
import pickletools
import subprocess
import sys
import threading
import zlib

import numpy as np
import joblib
from joblib import numpy_pickle as jnp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "sklearn")
OUT = os.path.join(ROOT, "test", "fixtures", "hostile")
MARKER = "/tmp/ml-anomaly-api-hostile-marker"
TOUCH = f"touch {MARKER}"

# The reader's opcode subset and allowlist (src/sklearn/opcodes.ts, allowlist.ts).
READ_OPCODES = {
    "PROTO", "FRAME", "STOP", "MARK", "POP", "POP_MARK", "NONE", "NEWTRUE", "NEWFALSE",
    "BININT", "BININT1", "BININT2", "LONG1", "BINFLOAT", "SHORT_BINUNICODE", "BINUNICODE",
    "BINUNICODE8", "SHORT_BINBYTES", "BINBYTES", "BINBYTES8", "BYTEARRAY8", "EMPTY_TUPLE",
    "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "EMPTY_LIST", "APPEND", "APPENDS", "EMPTY_DICT",
    "SETITEM", "SETITEMS", "EMPTY_SET", "ADDITEMS", "FROZENSET", "BINPUT", "LONG_BINPUT",
    "MEMOIZE", "BINGET", "LONG_BINGET", "GLOBAL", "STACK_GLOBAL", "REDUCE", "NEWOBJ", "BUILD",
}
ALLOWED_GLOBALS = {
    "sklearn.ensemble._iforest.IsolationForest", "sklearn.tree._classes.ExtraTreeRegressor",
    "sklearn.tree._tree.Tree", "numpy.dtype", "numpy.ndarray",
    "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
    "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
    "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "_codecs.encode",
    "joblib.numpy_pickle.NumpyArrayWrapper",
}


class Call:
    """An object that unpickles as `func(*args)`: the classic pickle payload."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args

    def __call__(self, *args):  # lets a Call be the callable of another Call
        raise AssertionError("never called while pickling")


def load_model(name):
    with open(os.path.join(FIXTURES, name + ".p4.pkl"), "rb") as f:
        return pickle.load(f)


def first_offence(data):
    """(offset, 'global X' | 'opcode Y') of the first thing the reader must refuse, via pickletools."""
    memo, recent = {}, []
    try:
        for op, arg, pos in pickletools.genops(data):
            name = op.name
            if name not in READ_OPCODES:
                return pos, f"opcode {name}"
            if name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8"):
                recent.append(arg)
            elif name in ("BINGET", "LONG_BINGET"):
                recent.append(memo.get(arg))
            elif name == "MEMOIZE":
                memo[len(memo)] = recent[-1] if recent else None
            elif name in ("BINPUT", "LONG_BINPUT"):
                memo[arg] = recent[-1] if recent else None
            elif name == "GLOBAL":
                qualified = arg.replace(" ", ".")
                if qualified not in ALLOWED_GLOBALS:
                    return pos, f"global {qualified}"
            elif name == "STACK_GLOBAL":
                qualified = f"{recent[-2]}.{recent[-1]}"
                if qualified not in ALLOWED_GLOBALS:
                    return pos, f"global {qualified}"
            else:
                recent.append(None)
    except ValueError:
        pass  # e.g. a memo trick pickletools itself rejects; offset given by the caller
    return None, None


def stack_global_offset(data, module, name):
    """Offset of the STACK_GLOBAL that follows `module` and `name` strings (joblib files)."""
    at = data.index(b"\x8c" + bytes([len(module)]) + module.encode())
    at = data.index(b"\x8c" + bytes([len(name)]) + name.encode(), at)
    return data.index(b"\x93", at)


def prove_live(path, loader="pickle"):
    """Loads `path` with Python's own loader in a child process; the marker must appear."""
    if os.path.exists(MARKER):
        os.remove(MARKER)
    code = (
        "import pickle, joblib, copyreg, sys, time, os\n"
        "copyreg.add_extension('posix', 'system', 0xf0)\n"
        f"p = {path!r}\n"
        "try:\n"
        f"    joblib.load(p) if {loader!r} == 'joblib' else pickle.load(open(p, 'rb'))\n"
        "except Exception:\n"
        "    pass\n"
        f"for _ in range(50):\n"
        f"    if os.path.exists({MARKER!r}): break\n"
        "    time.sleep(0.05)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)
    live = os.path.exists(MARKER)
    if live:
        os.remove(MARKER)
    assert live, f"payload in {path} did not run under Python's {loader} loader"


def with_big_stack(fn):
    """Runs fn in a thread with a large C stack (pickling 100k nested containers recurses)."""
    result = {}
    threading.stack_size(512 * 1024 * 1024)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)
    t = threading.Thread(target=lambda: result.setdefault("v", fn()))
    t.start()
    t.join()
    sys.setrecursionlimit(old)
    threading.stack_size(0)
    return result["v"]


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    manifest = {}

    def write(fname, data, error, message, offset=None, live=None, note=""):
        path = os.path.join(OUT, fname)
        with open(path, "wb") as f:
            f.write(data)
        if live is not None:
            prove_live(path, live)
        manifest[fname] = dict(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                               error=error, message=message, offset=offset,
                               executes_code_in_python=live is not None, note=note)

    def payload_file(fname, obj, protocol, message, live="pickle", note=""):
        data = pickle.dumps(obj, protocol=protocol)
        offset, what = first_offence(data)
        assert what == message.replace("refused ", ""), (fname, what)
        write(fname, data, "PickleSecurityError", message, offset, live, note)

    # -- classic payloads -----------------------------------------------------------------------
    payload_file("os-system.p2.pkl", Call(os.system, TOUCH), 2, "refused global posix.system",
                 note="os.system pickles as posix.system on Linux")
    payload_file("os-system.p4.pkl", Call(os.system, TOUCH), 4, "refused global posix.system")
    payload_file("builtins-eval.p4.pkl",
                 Call(eval, f"open({MARKER!r}, 'w').close()"), 4, "refused global builtins.eval")
    payload_file("subprocess-popen.p5.pkl", Call(subprocess.Popen, ["touch", MARKER]), 5,
                 "refused global subprocess.Popen")
    payload_file("builtins-getattr.p4.pkl",
                 Call(Call(getattr, Call(__import__, "os"), "system"), TOUCH), 4,
                 "refused global builtins.getattr",
                 note="getattr(__import__('os'), 'system')('touch ...')")

    # -- payloads inside otherwise valid models -------------------------------------------------
    model = load_model("edge_dups_const")
    model.callback = Call(os.system, TOUCH)
    payload_file("model-payload-in-forest-state.p4.pkl", model, 4, "refused global posix.system",
                 note="a valid IsolationForest whose state dict has one more key")
    model = load_model("edge_dups_const")
    model.estimators_[7].note = Call(os.system, TOUCH)
    payload_file("model-payload-in-tree-7.p2.pkl", model, 2, "refused global posix.system",
                 note="the payload sits in estimators_[7], deep in the file")

    model = load_model("edge_dups_const")
    model.estimators_[3].note = Call(os.system, TOUCH)
    buf = io.BytesIO()
    jnp.NumpyPickler(buf, protocol=4).dump(model)
    data = buf.getvalue()
    write("model-payload.joblib.pkl", data, "PickleSecurityError", "refused global posix.system",
          stack_global_offset(data, "posix", "system"), live="joblib",
          note="joblib file (inline arrays before the payload)")
    z = zlib.compress(data, 3)
    write("model-payload.joblib-z3.pkl", z, "PickleSecurityError", "refused global posix.system",
          stack_global_offset(data, "posix", "system"), live="joblib",
          note="the same, zlib-compressed as joblib compress=3 does; offset in the inflated stream")

    # -- opcodes that reach outside the data --------------------------------------------------------
    class Persistent(pickle.Pickler):
        def persistent_id(self, obj):
            return "db:model-42" if isinstance(obj, list) and obj == ["external"] else None

    buf = io.BytesIO()
    Persistent(buf, protocol=2).dump({"model": ["external"]})
    data = buf.getvalue()
    offset, what = first_offence(data)
    assert what == "opcode BINPERSID"
    write("persistent-id.p2.pkl", data, "PickleSecurityError", "refused opcode BINPERSID",
          offset)

    extensions = ((0xF0, "EXT1", os.system), (0x1234, "EXT2", os.popen),
                  (0x123456, "EXT4", os.execv))
    for code, opname, func in extensions:
        copyreg.add_extension(pickle.whichmodule(func, func.__name__), func.__name__, code)
    for code, opname, func in extensions:
        data = pickle.dumps(Call(func, TOUCH), protocol=2)
        offset, what = first_offence(data)
        assert what == f"opcode {opname}", what
        write(f"extension-{opname.lower()}.p2.pkl", data, "PickleSecurityError",
              f"refused opcode {opname}", offset,
              live="pickle" if opname == "EXT1" else None,
              note="copyreg extension registry: a global by number")
    for code, opname, func in extensions:
        copyreg.remove_extension(pickle.whichmodule(func, func.__name__), func.__name__, code)

    model = load_model("edge_one_sample")
    data = pickle.dumps(model, protocol=5, buffer_callback=lambda b: False)
    offset, what = first_offence(data)
    assert what == "opcode NEXT_BUFFER", what
    write("out-of-band-buffers.p5.pkl", data, "PickleSecurityError", "refused opcode NEXT_BUFFER",
          offset, note="a model pickled with buffer_callback: its arrays are not in the file")

    # INST and OBJ: CPython 3 no longer writes them; spliced into a real protocol-2 pickle.
    inst = b"\x80\x02(X" + len(TOUCH).to_bytes(4, "little") + TOUCH.encode() + b"ios\nsystem\n."
    pickletools.dis(inst, out=io.StringIO())
    assert first_offence(inst)[1] == "opcode INST"
    write("inst.p2.pkl", inst, "PickleSecurityError", "refused opcode INST (0x69)",
          first_offence(inst)[0],
          live="pickle", note="MARK 'touch ...' INST os system: os.system('touch ...')")
    obj = (b"\x80\x02(cnumpy\ndtype\nX\x02\x00\x00\x00f8o.")
    pickletools.dis(obj, out=io.StringIO())
    assert first_offence(obj) == (len(obj) - 2, "opcode OBJ")
    write("obj.p2.pkl", obj, "PickleSecurityError", "refused opcode OBJ (0x6f)", len(obj) - 2,
          note="OBJ with an allowlisted class still builds an arbitrary instance")

    # -- allowlisted functions called with other arguments ---------------------------------------
    class Marker:
        def __init__(self, what):
            self.what = what

    class Abuse(pickle.Pickler):
        def reducer_override(self, obj):
            if isinstance(obj, Marker) and obj.what == "codecs":
                import codecs
                return codecs.encode, ("payload", "rot13")
            if isinstance(obj, Marker) and obj.what == "scalar":
                # numpy pickles object scalars as scalar(dtype('O'), <any object>)
                return np.core.multiarray.scalar, (np.dtype("O"), "payload")
            return NotImplemented

    for what, message in (("codecs", "_codecs.encode is only read as encode(str, 'latin1')"),
                          ("scalar", "numpy scalar expects (dtype, bytes), got (numpy.dtype, str)")):
        buf = io.BytesIO()
        Abuse(buf, protocol=4).dump([Marker(what)])
        write(f"allowlisted-misuse.{what}.p4.pkl", buf.getvalue(), "PickleFormatError", message,
              note="an allowlisted global with arguments scikit-learn never uses")

    # -- memo tricks (edits of a real protocol-2 model pickle) -----------------------------------
    base = pickle.dumps(load_model("edge_one_sample"), protocol=2)
    ops = list(pickletools.genops(base))
    first_get = next(pos for op, arg, pos in ops if op.name == "BINGET")
    data = bytearray(base)
    data[first_get + 1] = 250  # a slot never set
    write("memo-binget-unset.p2.pkl", bytes(data), "PickleFormatError",
          "BINGET (0x68) reads memo slot 250, which was never set", first_get)

    dict_put = next(ops[i + 1][2] for i, (op, arg, pos) in enumerate(ops)
                    if op.name == "EMPTY_DICT" and ops[i + 1][0].name == "BINPUT")
    insert_at = dict_put + 2
    data = base[:insert_at] + b"q\x00" + base[insert_at:]  # BINPUT 0 again: overwrite slot 0
    try:
        pickle.loads(data)
        python_says = "Python loads it without complaint"
    except Exception as e:  # noqa: BLE001 - only recorded in the note
        python_says = f"Python loads it until the swapped slot is used ({type(e).__name__})"
    write("memo-overwrite.p2.pkl", data, "PickleFormatError",
          "BINPUT (0x71) overwrites memo slot 0", insert_at,
          note=f"BINPUT 0 again after a dict: slot 0 (the IsolationForest class) now holds the dict; {python_says}")

    # -- sizes that must be checked before anything is allocated -------------------------------
    data = bytearray(pickle.dumps(load_model("edge_one_sample"), protocol=4))
    frame = next(pos for op, arg, pos in pickletools.genops(bytes(data)) if op.name == "FRAME")
    data[frame + 1:frame + 9] = (1 << 62).to_bytes(8, "little")
    write("huge-frame.p4.pkl", bytes(data), "PickleFormatError", "FRAME declares 46116860184273",
          frame)

    class BigArray(pickle.Pickler):
        def __init__(self, f, protocol, shape, via):
            super().__init__(f, protocol=protocol)
            self.shape, self.via = shape, via

        def reducer_override(self, obj):
            if isinstance(obj, np.ndarray) and obj.dtype == np.float64 and obj.ndim == 3:
                raw = b"\0" * 8
                if self.via == "frombuffer":
                    return (np.core.numeric._frombuffer,
                            (pickle.PickleBuffer(bytearray(raw)), obj.dtype, self.shape, "C"))
                return (np.core.multiarray._reconstruct, (np.ndarray, (0,), b"b"),
                        (1, self.shape, obj.dtype, False, raw))
            return NotImplemented

    for fname, protocol, shape, via, message in (
        ("billion-element-array.p4.pkl", 4, (10**9, 1, 1), "reconstruct",
         "ndarray of shape (1000000000, 1, 1) and dtype <f8 needs 1000000000 x 8 bytes, but only 8 are available"),
        ("billion-element-array.p5.pkl", 5, (10**9, 1, 1), "frombuffer",
         "_frombuffer array of shape (1000000000, 1, 1) and dtype <f8 needs 1000000000 x 8 bytes, but only 8 are available"),
        ("overflowing-shape.p4.pkl", 4, (2**40, 2**40, 1), "reconstruct",
         "ndarray shape (1099511627776, 1099511627776, ...) is too large"),
    ):
        buf = io.BytesIO()
        BigArray(buf, protocol, shape, via).dump(load_model("edge_one_sample"))
        write(fname, buf.getvalue(), "PickleFormatError", message,
              note="a Tree values array whose header claims far more data than the file holds")

    class BigWrapper(jnp.NumpyPickler):
        def _create_array_wrapper(self, array):
            wrapper = super()._create_array_wrapper(array)
            if array.dtype == np.float64 and array.ndim == 3:
                wrapper.shape = (10**9, 1, 1)
            return wrapper

    buf = io.BytesIO()
    BigWrapper(buf, protocol=4).dump(load_model("edge_one_sample"))
    write("billion-element-array.joblib.pkl", buf.getvalue(), "PickleFormatError",
          "joblib inline array of shape (1000000000, 1, 1) and dtype <f8 needs 1000000000 x 8 bytes",
          note="a NumpyArrayWrapper whose shape claims 8 GB of inline data")

    # -- amplification through memo references ----------------------------------------------------
    import copy
    model = load_model("d2_n10_auto")
    model.estimators_ = [model.estimators_[0]] * 10
    model.estimators_features_ = [f.copy() for f in model.estimators_features_]
    write("shared-trees.p4.pkl", pickle.dumps(model, protocol=4), "PickleFormatError",
          "estimators_[1] is an object already used elsewhere in the model",
          note="every estimators_ entry is a memo back-reference to the same tree")

    class SharedNodes(pickle.Pickler):
        def __init__(self, f, raw):
            super().__init__(f, protocol=4)
            self.raw = raw

        def reducer_override(self, obj):
            if isinstance(obj, np.ndarray) and obj.dtype.names is not None:
                # A distinct array object whose data is the same memoized bytes object.
                return (np.core.multiarray._reconstruct, (np.ndarray, (0,), b"b"),
                        (1, obj.shape, obj.dtype, False, self.raw))
            return NotImplemented

    model = load_model("d2_n10_auto")
    big = model.estimators_[0]
    model.estimators_ = [copy.deepcopy(big) for _ in range(20)]
    model.estimators_features_ = [f.copy() for f in model.estimators_features_ * 2]
    model.n_estimators = 20
    buf = io.BytesIO()
    SharedNodes(buf, big.tree_.__getstate__()["nodes"].tobytes()).dump(model)
    write("shared-node-bytes.p4.pkl", buf.getvalue(), "PickleFormatError",
          "needs more array data than the file holds",
          note="20 distinct node arrays whose data is one memoized bytes object")

    class SharedText(pickle.Pickler):
        big = "x" * 100_000

        def reducer_override(self, obj):
            if isinstance(obj, Marker):
                import codecs
                return codecs.encode, (self.big, "latin1")
            return NotImplemented

    buf = io.BytesIO()
    SharedText(buf, protocol=2).dump([Marker("latin1") for _ in range(2000)])
    write("shared-latin1-text.p2.pkl", buf.getvalue(), "PickleFormatError",
          "_codecs.encode would produce more bytes than the file holds",
          note="2,000 _codecs.encode calls on one memoized 100 kB string (200 MB if honoured)")

    # -- deep nesting ---------------------------------------------------------------------------
    def nested(kind, depth=100_000):
        x = []
        for _ in range(depth):
            x = [x] if kind == "list" else (x, 0, 0, 0) if kind == "tuple4" else (
                {"k": x} if kind == "dict" else (x,))
        return pickle.dumps(x, protocol=4)

    for kind, message in (("list", "more than 100000 values on the pickle stack"),
                          ("dict", "more than 100000 values on the pickle stack"),
                          ("tuple4", "MARKs nested deeper than 1000 levels"),
                          ("tuple1", "the file holds tuple of 1, not a sklearn.ensemble.IsolationForest")):
        data = with_big_stack(lambda: nested(kind))
        write(f"deep-{kind}.p4.pkl", data, "PickleFormatError", message,
              note="100,000 levels of nesting")

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(dict(marker=MARKER, files=manifest), f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(manifest)} files to {OUT}")


if __name__ == "__main__":
    main()
