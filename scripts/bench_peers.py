#!/usr/bin/env python3
"""Times the Python peers on the same 1M x 3 ratings as `thematic_bench` (and agreement_bench):
`krippendorff.alpha` (nominal) and scikit-learn's `cohen_kappa_score` over the three coder pairs.
Prints one JSON object. Usage: bench_peers.py DATA.u32 [RUNS]
(DATA: little-endian u32, units x 3 coders, row-major, 4294967295 = missing.)
"""

import json
import statistics
import sys
import time
from importlib.metadata import version

import numpy as np

import krippendorff
from sklearn.metrics import cohen_kappa_score

path = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
raw = np.fromfile(path, dtype="<u4").reshape(-1, 3)
data = raw.astype(float)
data[raw == 0xFFFFFFFF] = np.nan
reliability = data.T  # coders x units


def timed(f):
    times, value = [], None
    for _ in range(runs):
        t = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - t)
    return {"runs": times, "median": statistics.median(times), "value": value}


def alpha():
    return float(krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal"))


def pairs():
    out = []
    for a, b in [(0, 1), (0, 2), (1, 2)]:
        both = (raw[:, a] != 0xFFFFFFFF) & (raw[:, b] != 0xFFFFFFFF)
        out.append(float(cohen_kappa_score(raw[both, a], raw[both, b])))
    return out


print(
    json.dumps(
        {
            "krippendorff_version": version("krippendorff"),
            "sklearn_version": version("scikit-learn"),
            "units": int(raw.shape[0]),
            "krippendorff_alpha": timed(alpha),
            "sklearn_cohen_pairs": timed(pairs),
        }
    )
)
