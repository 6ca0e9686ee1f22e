#!/usr/bin/env python3
"""Recompute the expected values hard-coded in src/agreement/reference_tests.rs
and src/agreement/unitized_tests.rs with established packages.

Setup (not committed):
    python3 -m venv /tmp/agvenv
    /tmp/agvenv/bin/pip install krippendorff scikit-learn statsmodels numpy pandas \
        irrCAC krippendorff-unitized-alpha
    /tmp/agvenv/bin/python scripts/agreement_expected.py

Versions used when the numbers were generated: see the header this prints.

Datasets are written as text, one unit per line, one column per coder, "." for a
missing judgement; the same text appears in the Rust tests.
"""

import warnings
from importlib.metadata import version

import numpy as np
import pandas as pd

import krippendorff
from irrCAC.raw import CAC
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

DATASETS = {
    "two_coders": """
0 0
0 0
1 1
2 2
0 1
1 1
2 2
2 1
0 0
1 1
1 0
2 2
0 0
1 2
2 2
0 0
1 1
0 2
2 2
1 1
""",
    "three_coders": """
0 0 0
1 1 2
2 2 2
3 3 3
0 1 0
1 1 1
2 3 2
3 3 0
0 0 0
1 2 1
2 2 2
3 3 3
0 0 1
1 1 1
2 2 3
""",
    "five_coders_missing": """
0 0 0 . 0
1 1 . 1 2
2 2 2 2 .
. 0 1 0 0
1 . 1 1 1
2 2 . 0 2
0 0 0 0 0
. . 1 1 .
2 1 2 2 2
0 . . . 0
1 1 1 . 1
2 2 2 2 2
""",
    "three_missing": """
0 0 .
1 1 1
2 . .
. 1 2
0 0 0
. . 1
2 2 1
1 . 1
0 1 .
2 2 2
""",
    # Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", section C
    # (nominal data, 4 observers, 12 units, missing values); published alpha = 0.743.
    "krippendorff_2011": """
1 1 . 1
2 2 3 2
3 3 3 3
3 3 3 3
2 2 2 2
1 2 3 4
4 4 4 4
1 1 2 1
2 2 2 2
. 5 5 5
. . 1 1
. 3 . .
""",
    # Prevalence paradox: 88 (0,0), 5 (0,1), 5 (1,0), 2 (1,1).
    "prevalence_paradox": "\n".join(
        ["0 0"] * 88 + ["0 1"] * 5 + ["1 0"] * 5 + ["1 1"] * 2
    ),
    "all_one_category": "\n".join(["2 2 2"] * 10),
}

# Count tables (subjects x categories) for Fleiss; expanded to raw ratings by
# giving the judgements to raters in category order (Fleiss, alpha and AC1 only
# depend on the per-unit counts when data are complete).
# Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories,
# published kappa = 0.210 (same table as statsmodels' test_inter_rater.table1).
WIKI_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Fleiss (1971) psychiatric diagnoses, 30 subjects x 6 raters, categories 1..5
# (R irr's `diagnoses`, as in statsmodels' tests); irr::kappam.fleiss = 0.4302445.
DIAGNOSES = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]


def parse(text):
    rows = []
    for line in text.strip().splitlines():
        rows.append([np.nan if t == "." else float(t) for t in line.split()])
    return np.array(rows)  # units x coders


def expand_table(table):
    return np.array(
        [[k for k, c in enumerate(row) for _ in range(c)] for row in table], float
    )


def fmt(x):
    return "undefined" if x is None else f"{x:.15f}"


def pairwise(data):
    m = data.shape[1]
    out = []
    for a in range(m):
        for b in range(a + 1, m):
            both = ~np.isnan(data[:, a]) & ~np.isnan(data[:, b])
            if not both.any():
                out.append((a, b, 0, None, None))
                continue
            x, y = data[both, a], data[both, b]
            pct = float(np.mean(x == y))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                k = float(cohen_kappa_score(x, y))
            out.append((a, b, int(both.sum()), pct, None if np.isnan(k) else k))
    return out


def fleiss(data):
    complete = data[~np.isnan(data).any(axis=1)].astype(int)
    if len(complete) == 0:
        return None
    table, _ = aggregate_raters(complete)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k = float(fleiss_kappa(table, method="fleiss"))
    return None if np.isnan(k) else k


def alpha(data):
    try:
        return float(
            krippendorff.alpha(reliability_data=data.T, level_of_measurement="nominal")
        )
    except ValueError as e:  # single value in the domain
        print(f"    krippendorff.alpha raised ValueError: {e}")
        return None


def ac1(data):
    cac = CAC(pd.DataFrame(data), digits=15)
    return float(cac.gwet()["est"]["coefficient_value"])


def report(name, data):
    print(f"== {name}  ({data.shape[0]} units x {data.shape[1]} coders)")
    pw = pairwise(data)
    for a, b, n, pct, k in pw:
        print(f"  pair ({a},{b}) n={n}  percent={fmt(pct)}  cohen={fmt(k)}")
    pcts = [p for *_, p, _ in pw if p is not None]
    ks = [k for *_, k in pw if k is not None]
    print(f"  percent_agreement (mean over pairs)       {fmt(np.mean(pcts) if pcts else None)}")
    print(f"  mean pairwise cohen (sklearn)             {fmt(np.mean(ks) if ks else None)}")
    print(f"  fleiss_kappa (statsmodels, complete rows) {fmt(fleiss(data))}")
    print(f"  krippendorff.alpha nominal                {fmt(alpha(data))}")
    print(f"  irrCAC gwet AC1                           {fmt(ac1(data))}")


def unitized():
    """uα via the PyPI package krippendorff-unitized-alpha (implements the 2016
    paper's uα; needs the gaps spelled out as EMPTY_TAG segments, half-open)."""
    from krippendorff_unitized_alpha.krippendorffs_unitized_alpha import (
        EMPTY_TAG,
        KrippendorffUnitizedAlpha,
        Segment,
    )

    def with_gaps(spans, length):
        out, cur = [], 0
        for s, e, tag in sorted(spans):
            if s > cur:
                out.append(Segment(EMPTY_TAG, cur, s))
            out.append(Segment(tag, s, e))
            cur = e
        if cur < length:
            out.append(Segment(EMPTY_TAG, cur, length))
        return out

    cases = {
        # hand-computed example in unitized_tests.rs: uα = 0.629166...
        "hand_two_coders": (10, [[(2, 6, "a")], [(3, 7, "a")]]),
        "three_coders_two_categories": (
            40,
            [
                [(0, 5, "a"), (8, 15, "b"), (20, 30, "a")],
                [(1, 5, "a"), (8, 14, "b"), (14, 16, "a"), (22, 30, "a")],
                [(0, 6, "a"), (9, 15, "a"), (21, 29, "a"), (33, 36, "b")],
            ],
        ),
        # binary uα for category "a" of the case above = uα on "a" spans only
        "three_coders_binary_a": (
            40,
            [
                [(0, 5, "a"), (20, 30, "a")],
                [(1, 5, "a"), (14, 16, "a"), (22, 30, "a")],
                [(0, 6, "a"), (9, 15, "a"), (21, 29, "a")],
            ],
        ),
        # union uα of the case above: every span relabelled "x" (no overlaps to merge;
        # touching spans (8,14),(14,16) stay separate units)
        "three_coders_union": (
            40,
            [
                [(0, 5, "x"), (8, 15, "x"), (20, 30, "x")],
                [(1, 5, "x"), (8, 14, "x"), (14, 16, "x"), (22, 30, "x")],
                [(0, 6, "x"), (9, 15, "x"), (21, 29, "x"), (33, 36, "x")],
            ],
        ),
    }
    print("== unitized (krippendorff-unitized-alpha "
          f"{version('krippendorff-unitized-alpha')}: KrippendorffUnitizedAlpha(...).result)")
    for name, (length, coders) in cases.items():
        data = {f"c{i}": with_gaps(sp, length) for i, sp in enumerate(coders)}
        print(f"  {name:32s} u_alpha = {KrippendorffUnitizedAlpha(data).result:.15f}")


def main():
    for pkg in ["numpy", "pandas", "scikit-learn", "statsmodels", "krippendorff", "irrCAC"]:
        print(f"# {pkg} {version(pkg)}")
    for name, text in DATASETS.items():
        report(name, parse(text))
    report("fleiss_wikipedia_10x14", expand_table(WIKI_TABLE))
    report("fleiss_1971_diagnoses_30x6", np.array(DIAGNOSES, float))
    unitized()


if __name__ == "__main__":
    main()
