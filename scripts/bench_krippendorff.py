#!/usr/bin/env python3
"""Times python `krippendorff.alpha` on the same data as src/bin/agreement_bench.rs.

    cargo run --release --bin agreement_bench -- --write /tmp/agreement_bench.u32
    /tmp/agvenv/bin/python scripts/bench_krippendorff.py /tmp/agreement_bench.u32
"""

import statistics
import sys
import time
from importlib.metadata import version

import numpy as np

import krippendorff

path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/agreement_bench.u32"
raw = np.fromfile(path, dtype="<u4").reshape(-1, 3)
data = raw.astype(float)
data[raw == 0xFFFFFFFF] = np.nan
reliability = data.T  # coders x units

times, alpha = [], None
for _ in range(5):
    t = time.perf_counter()
    alpha = krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal")
    times.append(time.perf_counter() - t)
print(f"krippendorff {version('krippendorff')} alpha(reliability_data=3x{raw.shape[0]}, nominal)")
print(f"  runs (s): {[round(x, 4) for x in times]}")
print(f"  median:   {statistics.median(times):.4f} s")
print(f"  alpha = {alpha!r}")
