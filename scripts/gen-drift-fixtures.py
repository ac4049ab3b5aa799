"""Drift fixtures: reference quantile bins and PSI computed with numpy, for the TS monitor.

Run through scripts/gen-drift-fixtures.sh (it makes a virtualenv with the pinned numpy).

Writes, into the directory given as the only argument:
  train.csv           1,000 training rows of cpu_usage, memory_load, disk_io
  live-unshifted.csv  1,000 new rows from the same distribution
  live-shifted.csv    1,000 rows from the same distribution with memory_load moved up by
                      2 standard deviations (of the training column)
  expected.json       per feature: the quantile bin edges and training shares (10 bins,
                      numpy's linear percentiles, repeats dropped, right-closed bins), mean,
                      population std, min, max, median; and per live file the bin counts and
                      the PSI of every feature (epsilon 1e-4), the reference implementation
                      the TS code is compared with.

Values are rounded to 4 decimals and written with repr, so the TS side parses the exact doubles
numpy used.
"""
import json
import os
import sys

import numpy as np

BINS = 10
EPS = 1e-4
ROWS = 1000
NAMES = ["cpu_usage", "memory_load", "disk_io"]


def draw(rng, n):
    cpu = rng.normal(50.0, 10.0, n)
    mem = 0.5 * cpu + rng.normal(35.0, 6.0, n)
    disk = rng.lognormal(3.0, 0.4, n)
    return np.round(np.column_stack([cpu, mem, disk]), 4)


def bins(x):
    edges = np.unique(np.percentile(x, 100.0 * np.arange(1, BINS) / BINS))
    counts = np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1)
    return edges, counts


def psi(live_counts, ref_shares):
    a = np.maximum(live_counts / live_counts.sum(), EPS)
    e = np.maximum(ref_shares, EPS)
    return float(np.sum((a - e) * np.log(a / e)))


def write_csv(path, x):
    with open(path, "w") as f:
        f.write(",".join(NAMES) + "\n")
        for row in x:
            f.write(",".join(repr(float(v)) for v in row) + "\n")


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261204)
    train = draw(rng, ROWS)
    unshifted = draw(rng, ROWS)
    shifted = draw(rng, ROWS)
    shifted[:, 1] = np.round(shifted[:, 1] + 2.0 * train[:, 1].std(), 4)

    features = []
    for j, name in enumerate(NAMES):
        edges, counts = bins(train[:, j])
        features.append({
            "name": name,
            "edges": edges.tolist(),
            "proportions": (counts / ROWS).tolist(),
            "mean": float(train[:, j].mean()),
            "std": float(train[:, j].std()),
            "min": float(train[:, j].min()),
            "max": float(train[:, j].max()),
            "median": float(np.percentile(train[:, j], 50)),
        })
    live = {}
    for label, x in (("unshifted", unshifted), ("shifted", shifted)):
        per = []
        for j, f in enumerate(features):
            edges = np.array(f["edges"])
            counts = np.bincount(np.searchsorted(edges, x[:, j], side="left"),
                                 minlength=len(edges) + 1)
            per.append({"name": f["name"], "counts": counts.tolist(),
                        "psi": psi(counts, np.array(f["proportions"])),
                        "mean": float(x[:, j].mean())})
        live[label] = per

    write_csv(os.path.join(out, "train.csv"), train)
    write_csv(os.path.join(out, "live-unshifted.csv"), unshifted)
    write_csv(os.path.join(out, "live-shifted.csv"), shifted)
    doc = {"generator": "scripts/gen-drift-fixtures.py", "numpy": np.__version__,
           "bins": BINS, "epsilon": EPS, "rows": ROWS, "features": features, "live": live}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
