#!/usr/bin/env python3
"""The scikit-learn peer for `thematic suggest evaluate` (issue 15).

Reads the units CSV written by `thematic suggest export-units FILE` (one row per unit: fold,
document, turn, start, end, codes separated by '|', text) and computes, per code with at least
8 coded units, precision / recall / F1 / Cohen's kappa of
    TfidfVectorizer(ngram_range=(1, 2)) + LogisticRegression(class_weight='balanced')
one-vs-rest, cross-validated with exactly the folds in the file (a unit is tested in the fold
of its document; the vectorizer is fitted on the training part only, as in Thematic), pooled
over folds. Prints the per-code figures and the macro-F1.

    python3 -m venv /tmp/sug-venv && /tmp/sug-venv/bin/pip install scikit-learn
    thematic --project demo.thematic --coder alex suggest export-units /tmp/units.csv
    /tmp/sug-venv/bin/python scripts/suggest_peer.py /tmp/units.csv
"""
import csv
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

MIN_EXAMPLES = 8


def main(path, sublinear=False):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    folds = [int(r["fold"]) for r in rows]
    texts = [r["text"] for r in rows]
    labels = [set(filter(None, r["codes"].split("|"))) for r in rows]
    counts = {}
    for ls in labels:
        for c in ls:
            counts[c] = counts.get(c, 0) + 1
    codes = sorted(c for c, n in counts.items() if n >= MIN_EXAMPLES)
    predicted = {c: [0] * len(rows) for c in codes}
    for k in sorted(set(folds)):
        train = [i for i, f in enumerate(folds) if f != k]
        test = [i for i, f in enumerate(folds) if f == k]
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=sublinear)
        x_train = vec.fit_transform([texts[i] for i in train])
        x_test = vec.transform([texts[i] for i in test])
        for c in codes:
            y = [int(c in labels[i]) for i in train]
            if sum(y) == 0:
                continue
            model = LogisticRegression(class_weight="balanced").fit(x_train, y)
            for i, p in zip(test, model.predict(x_test)):
                predicted[c][i] = int(p)
    f1s = []
    print("code\texamples\tprecision\trecall\tf1\tkappa")
    for c in codes:
        truth = [int(c in ls) for ls in labels]
        pred = predicted[c]
        p = precision_score(truth, pred, zero_division=0)
        r = recall_score(truth, pred, zero_division=0)
        f1 = f1_score(truth, pred, zero_division=0)
        kappa = cohen_kappa_score(truth, pred)
        f1s.append(f1)
        print(f"{c}\t{counts[c]}\t{p:.3f}\t{r:.3f}\t{f1:.3f}\t{kappa:.3f}")
    print(f"macro-F1\t{sum(f1s) / len(f1s):.3f}\t({len(codes)} codes, {len(rows)} units, "
          f"{len(set(folds))} folds, sublinear_tf={sublinear})")


if __name__ == "__main__":
    main(sys.argv[1], sublinear="--sublinear" in sys.argv[2:])
