#!/usr/bin/env python3
"""Independent agreement figures for the demo study, for tests/agreement_sample.rs.

Reads the study file with Python's sqlite3 (not Thematic's code), builds the turn x coder
present/absent matrix per code and the sentence-free code-set matrix itself, and computes the
coefficients with established packages:

    python3 -m venv /tmp/agvenv
    /tmp/agvenv/bin/pip install krippendorff scikit-learn statsmodels irrCAC numpy pandas
    THEMATIC_DATA_DIR=/tmp/demo cargo run -- demo        # prints the demo study's path
    /tmp/agvenv/bin/python scripts/agreement_sample_expected.py /tmp/demo/demo.thematic

Prints one JSON object: per code, Cohen's kappa (sklearn), Krippendorff's alpha (krippendorff),
Fleiss' kappa (statsmodels) and Gwet's AC1 (irrCAC) over turn units; kappa and alpha per code over
character units ("char_codes"); and the same for the theme
"Patients need guidance" as a code set (categories: none + its subcodes, a coder's several codes
on one turn resolved to the one covering most of the turn, ties to the first in codebook order).
"""
import json
import sqlite3
import sys

import krippendorff
import numpy as np
import pandas as pd
from irrCAC.raw import CAC
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa


def paths(conn):
    rows = conn.execute("SELECT id, parent_id, name FROM codes").fetchall()
    by_id = {r[0]: r for r in rows}

    def path(i):
        _, parent, name = by_id[i]
        return name if parent is None else path(parent) + "/" + name

    return {i: path(i) for i in by_id}


def main(db):
    conn = sqlite3.connect(db)
    code_path = paths(conn)
    coders = [r[0] for r in conn.execute(
        "SELECT id FROM coders WHERE is_consensus = 0 AND id IN (SELECT coder_id FROM codings) ORDER BY name")]
    turns = conn.execute(
        'SELECT document_id, start, "end" FROM turns ORDER BY document_id, idx').fetchall()
    codings = conn.execute(
        'SELECT document_id, code_id, coder_id, start, "end" FROM codings').fetchall()

    def overlaps(c, t):
        return c[0] == t[0] and c[3] < t[2] and c[4] > t[1]

    out = {"codes": {}}
    for code in sorted({c[1] for c in codings}):
        mine = [c for c in codings if c[1] == code]
        m = np.array([[1 if any(overlaps(c, t) and c[2] == k for c in mine) else 0 for t in turns]
                      for k in coders])
        kappa = cohen_kappa_score(m[0], m[1])
        alpha = krippendorff.alpha(reliability_data=m, level_of_measurement="nominal")
        fk = fleiss_kappa(aggregate_raters(m.T)[0])
        ac1 = CAC(pd.DataFrame(m.T), digits=15).gwet()["est"]["coefficient_value"]
        out["codes"][code_path[code]] = {"cohen_kappa": kappa, "krippendorff_alpha": alpha,
                                         "fleiss_kappa": fk, "gwet_ac1": ac1}

    # Character units (NVivo-style): every character of every document is a unit.
    docs = conn.execute("SELECT id, char_count FROM documents ORDER BY sort_order, id").fetchall()
    offset, total = {}, 0
    for doc_id, n in docs:
        offset[doc_id] = total
        total += n
    out["char_codes"] = {}
    for code in sorted({c[1] for c in codings}):
        m = np.zeros((len(coders), total), dtype=np.int64)
        for c in codings:
            if c[1] == code:
                base = offset[c[0]]
                m[coders.index(c[2]), base + c[3]:base + c[4]] = 1
        out["char_codes"][code_path[code]] = {
            "cohen_kappa": cohen_kappa_score(m[0], m[1]),
            "krippendorff_alpha": krippendorff.alpha(reliability_data=m, level_of_measurement="nominal"),
            "n_units": total,
        }

    parent = [i for i, p in code_path.items() if p == "Patients need guidance"][0]
    kids = [r[0] for r in conn.execute(
        "SELECT id FROM codes WHERE parent_id = ? ORDER BY sort_order, name COLLATE NOCASE", (parent,))]
    rows = []
    for k in coders:
        row = []
        for t in turns:
            best, cat = 0, 0
            for c in codings:
                if c[2] == k and c[1] in kids and overlaps(c, t):
                    ov = min(c[4], t[2]) - max(c[3], t[1])
                    k_cat = kids.index(c[1]) + 1
                    if ov > best or (ov == best and k_cat < cat):
                        best, cat = ov, k_cat
            row.append(cat)
        rows.append(row)
    m = np.array(rows)
    out["set"] = {
        "cohen_kappa": cohen_kappa_score(m[0], m[1]),
        "krippendorff_alpha": krippendorff.alpha(reliability_data=m, level_of_measurement="nominal"),
        "fleiss_kappa": fleiss_kappa(aggregate_raters(m.T)[0]),
        "gwet_ac1": CAC(pd.DataFrame(m.T), digits=15).gwet()["est"]["coefficient_value"],
        "n_units": len(turns),
    }
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
