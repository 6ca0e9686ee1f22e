#!/usr/bin/env python3
"""Expected figures for tests/agreement_workflow.rs, from established packages.

The scenario (issue 11): two documents of four speaker turns each. alex and sam both code X on
turns 1 and 3 of A; alex also codes X on turn 2 of B, where sam coded nothing. Nobody marked a
document done, so both documents are compared and sam's silence in B counts as "absent":

    alex = 1 0 1 0 | 0 1 0 0
    sam  = 1 0 1 0 | 0 0 0 0

    python3 -m venv /tmp/agr-venv
    /tmp/agr-venv/bin/pip install krippendorff scikit-learn statsmodels irrCAC numpy pandas
    /tmp/agr-venv/bin/python scripts/agreement_workflow_expected.py

Prints Cohen's kappa (scikit-learn), Krippendorff's alpha (krippendorff, nominal), Fleiss' kappa
(statsmodels) and Gwet's AC1 (irrCAC) for that matrix, and for document A alone (what the old
rule, which dropped B, reported).
"""
import json
from importlib.metadata import version

import krippendorff
import numpy as np
import pandas as pd
from irrCAC.raw import CAC
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa


def figures(alex, sam):
    data = np.array([alex, sam])
    table, _ = aggregate_raters(data.T)
    cac = CAC(pd.DataFrame({"alex": alex, "sam": sam}))
    return {
        "cohen_kappa": cohen_kappa_score(alex, sam),
        "krippendorff_alpha": krippendorff.alpha(
            reliability_data=data.astype(float), level_of_measurement="nominal"
        ),
        "fleiss_kappa": fleiss_kappa(table, method="fleiss"),
        "gwet_ac1": cac.gwet()["est"]["coefficient_value"],
    }


alex = [1, 0, 1, 0, 0, 1, 0, 0]
sam = [1, 0, 1, 0, 0, 0, 0, 0]
print(
    json.dumps(
        {
            "versions": {
                p: version(p)
                for p in ["krippendorff", "scikit-learn", "statsmodels", "irrCAC"]
            },
            "both_documents": figures(alex, sam),
            "document_a_only": figures(alex[:4], sam[:4]),
        },
        indent=2,
    )
)
