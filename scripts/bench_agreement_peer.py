#!/usr/bin/env python3
"""Times `krippendorff.alpha` warm, at its best documented use, on exactly the data of
`thematic agreement --unit turn --codes c0,...,c9` (issue 13 §2), and the Thematic command end
to end on the study holding the same matrix.

    cargo build --release --bin thematic --bin agreement_study
    target/release/agreement_study /tmp/peer.thematic /tmp/peer.u32     # 200,000 x 3 x 10
    /tmp/agr-venv/bin/python scripts/bench_agreement_peer.py /tmp/peer.u32 /tmp/peer.thematic

The peer is called once first (its first call carries about a second of one-off start-up: numpy
and numba-free imports, array checks), then timed best of 5, with the data already in memory as
a coders x units array. Its documented fast path is `value_domain` given and integer data, so
both an int and a float array are timed. Thematic is timed best of 5, each run a fresh process
reading the study file (start-up, reading codings, units, every coefficient, printing).
"""
import json
import resource
import statistics
import subprocess
import sys
import time
from importlib.metadata import version

import numpy as np

import krippendorff

raw_path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/peer.u32"
study = sys.argv[2] if len(sys.argv) > 2 else "/tmp/peer.thematic"
thematic = sys.argv[3] if len(sys.argv) > 3 else "target/release/thematic"
raw = np.fromfile(raw_path, dtype="<u4").reshape(-1, 3)
domain = list(range(10))
as_int = raw.T.astype(np.int64).copy()
as_float = raw.T.astype(float).copy()


def best(f, runs=5):
    """Best and median wall time, and best CPU time (this process plus children), over runs.
    On a shared machine the CPU time is the steadier figure: wall time includes waiting for a
    core."""
    times, cpu = [], []
    value = None
    for _ in range(runs):
        c0 = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime
        t = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - t)
        c1 = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime
        cpu.append(c1 - c0)
    return min(times), statistics.median(times), value, min(cpu)


def peer(data):
    return krippendorff.alpha(
        reliability_data=data, level_of_measurement="nominal", value_domain=domain
    )


t = time.perf_counter()
peer(as_float)
first = time.perf_counter() - t
int_best, int_median, alpha_int, int_cpu = best(lambda: peer(as_int))
float_best, float_median, alpha_float, float_cpu = best(lambda: peer(as_float))

cmd = [thematic, "--project", study, "agreement", "--unit", "turn", "--codes",
       ",".join(f"c{k}" for k in range(10)), "--format", "json"]
out = subprocess.run(cmd, capture_output=True, check=True)
ours = json.loads(out.stdout)["overall"]["krippendorff_alpha"]
e2e_best, e2e_median, _, e2e_cpu = best(lambda: subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True))

print(f"krippendorff {version('krippendorff')}, numpy {np.__version__}; {raw.shape[0]} units x 3 coders x 10 categories")
print(f"  peer first call (cold, float): {first:.3f} s")
print(f"  peer warm, int64 + value_domain: wall best {int_best:.4f} s (median {int_median:.4f}), CPU best {int_cpu:.4f} s, alpha {alpha_int!r}")
print(f"  peer warm, float + value_domain: wall best {float_best:.4f} s (median {float_median:.4f}), CPU best {float_cpu:.4f} s, alpha {alpha_float!r}")
print(f"  thematic end to end:            wall best {e2e_best:.4f} s (median {e2e_median:.4f}), CPU best {e2e_cpu:.4f} s, alpha {ours!r}")
print(f"  ratio thematic / peer (best warm): wall {e2e_best / min(int_best, float_best):.2f}, CPU {e2e_cpu / min(int_cpu, float_cpu):.2f}")
