#!/usr/bin/env python3
"""Check the sample study in sample_transcripts/ (stdlib only).

Verifies that
  * every row of codings.csv quotes text that occurs in the document's spoken
    text (speaker labels, timestamps and cue timings removed) exactly once, or
    at least `occurrence` times when `occurrence` is given;
  * no match crosses from one turn (or paragraph) into another;
  * every code exists in codebook.csv, and the codebook itself is well formed;
  * each coder has 25-40 codings per document;
  * the speakers in participants.csv are exactly the labels used in each transcript;
then prints rows per coder per document and the share of alex's codings whose
match overlaps a codings of sam's with the same code in the same document.

Spoken text per format:
  .txt  `[hh:mm:ss] Name: text` (+ unlabelled continuation lines) or the Otter
        layout (`Name  m:ss` line, then the text);
  .vtt / .srt  cue payloads with the `Name: ` prefix stripped, consecutive cues
        of the same speaker joined with a single space;
  .docx source/FG4.md-style `Name: text` paragraphs (source/<stem>.md), with
        unlabelled lines continuing the turn.
Paragraphs inside one turn are joined with a newline, turns with a blank line,
so a match containing a newline is reported as crossing a boundary.
"""
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "sample_transcripts"
NAME = r"[A-Z][A-Za-z\u00C0-\u017F'\-]*(?: [A-Z][A-Za-z\u00C0-\u017F'\-]*)?"
LABEL = re.compile(rf"^({NAME}): (.*)$")
TS_LABEL = re.compile(rf"^\[\d{{2}}:\d{{2}}:\d{{2}}\] ({NAME}): (.*)$")
OTTER = re.compile(rf"^({NAME})  (?:\d+:)?\d{{1,2}}:\d{{2}}$")
TIMING = re.compile(r"^\d{2}:\d{2}:\d{2}[.,]\d{3} --> \d{2}:\d{2}:\d{2}[.,]\d{3}")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def turns_txt(lines):
    turns = []
    if any(OTTER.match(l) for l in lines):
        for l in lines:
            m = OTTER.match(l)
            if m:
                turns.append([m.group(1), []])
            elif l.strip():
                turns[-1][1].append(l.strip())
        return turns
    for l in lines:
        m = TS_LABEL.match(l) or LABEL.match(l)
        if m:
            turns.append([m.group(1), [m.group(2)]])
        elif l.strip():
            turns[-1][1].append(l.strip())
    return turns


def turns_cues(lines):
    cues, i = [], 0
    while i < len(lines):
        l = lines[i]
        if l.startswith("NOTE") or l.startswith("WEBVTT"):
            while i < len(lines) and lines[i].strip():
                i += 1
        elif TIMING.match(l):
            i += 1
            payload = []
            while i < len(lines) and lines[i].strip():
                payload.append(lines[i].strip())
                i += 1
            m = LABEL.match(" ".join(payload))
            if not m:
                raise ValueError(f"cue without speaker label: {payload!r}")
            cues.append((m.group(1), m.group(2)))
        i += 1
    turns = []
    for sp, text in cues:
        if turns and turns[-1][0] == sp:
            turns[-1][1][0] += " " + text
        else:
            turns.append([sp, [text]])
    return turns


def load_turns(stem):
    """Return [(speaker, text)] for the document called `stem`."""
    found = [p for p in DIR.glob(stem + ".*") if p.suffix in (".txt", ".vtt", ".srt", ".docx")]
    if len(found) != 1:
        raise FileNotFoundError(f"expected one transcript file for {stem}, found {found}")
    path = found[0]
    if path.suffix == ".docx":
        path = DIR / "source" / (stem + ".md")
    raw = path.read_text(encoding="utf-8")
    if CONTROL.search(raw):
        raise ValueError(f"{path.name}: contains control characters")
    lines = raw.splitlines()
    turns = turns_cues(lines) if path.suffix in (".vtt", ".srt") else turns_txt(lines)
    return [(sp, "\n".join(p)) for sp, p in turns]


def occurrences(text, match):
    pos, start = [], text.find(match)
    while start != -1:
        pos.append(start)
        start = text.find(match, start + 1)
    return pos


def read_csv(name, header):
    with open(DIR / name, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if rows[0] != header:
        raise SystemExit(f"{name}: header {rows[0]} != {header}")
    return [dict(zip(header, r)) for r in rows[1:] if r]


def main():
    errors = []
    docs = read_csv("documents.csv", ["document", "focus_group", "composition", "date", "location"])
    for d in docs:
        if d["composition"] not in ("all-female", "all-male"):
            errors.append(f"documents.csv: bad composition {d['composition']!r}")
    texts, speakers = {}, {}
    for d in docs:
        turns = load_turns(d["document"])
        texts[d["document"]] = "\n\n".join(t for _, t in turns)
        speakers[d["document"]] = {s for s, _ in turns}

    parts = read_csv("participants.csv", ["participant", "document", "speaker", "role", "gender",
                                          "age_band", "cancer_type", "treatment_status", "sm_use"])
    by_doc = defaultdict(set)
    for p in parts:
        by_doc[p["document"]].add(p["speaker"])
        if p["role"] not in ("moderator", "participant"):
            errors.append(f"participants.csv: bad role {p['role']!r}")
    for doc, sp in speakers.items():
        if by_doc[doc] != sp:
            errors.append(f"participants.csv vs {doc}: only in table {sorted(by_doc[doc] - sp)}, "
                          f"only in transcript {sorted(sp - by_doc[doc])}")

    book = read_csv("codebook.csv", ["code", "colour", "definition", "inclusion", "exclusion", "example"])
    codes = {b["code"] for b in book}
    colours = Counter(b["colour"].lower() for b in book)
    for b in book:
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", b["colour"]):
            errors.append(f"codebook: bad colour {b['colour']!r} for {b['code']}")
        if colours[b["colour"].lower()] > 1:
            errors.append(f"codebook: colour {b['colour']} used twice")
        if any(not b[k].strip() for k in b):
            errors.append(f"codebook: empty field in {b['code']}")
        if "/" in b["code"] and b["code"].rsplit("/", 1)[0] not in codes:
            errors.append(f"codebook: parent of {b['code']} missing")

    rows = read_csv("codings.csv", ["document", "coder", "code", "match", "occurrence"])
    spans = defaultdict(list)  # (doc, coder) -> [(code, start, end)]
    for n, r in enumerate(rows, 2):
        where = f"codings.csv:{n} ({r['document']}, {r['coder']})"
        doc, m = r["document"], r["match"]
        if doc not in texts:
            errors.append(f"{where}: unknown document"); continue
        if r["code"] not in codes:
            errors.append(f"{where}: unknown code {r['code']!r}")
        if not m.strip() or m != m.strip() or "\n" in m:
            errors.append(f"{where}: match is empty, padded or crosses a turn: {m!r}"); continue
        pos = occurrences(texts[doc], m)
        occ = r["occurrence"].strip()
        if not pos:
            errors.append(f"{where}: match not found: {m!r}"); continue
        if occ == "":
            if len(pos) != 1:
                errors.append(f"{where}: occurs {len(pos)} times but occurrence is empty: {m!r}"); continue
            k = 0
        else:
            k = int(occ) - 1
            if len(pos) < 2 or not 0 <= k < len(pos):
                errors.append(f"{where}: occurrence {occ} invalid ({len(pos)} found): {m!r}"); continue
        spans[(doc, r["coder"])].append((r["code"], pos[k], pos[k] + len(m)))

    coders = sorted({c for _, c in spans})
    if coders != ["alex", "sam"]:
        errors.append(f"coders are {coders}, expected alex and sam")
    print(f"{'document':<10}" + "".join(f"{c:>8}" for c in coders) + "   alex rows overlapping sam (same code)")
    tot_a = tot_o = 0
    for d in docs:
        doc = d["document"]
        counts = [len(spans[(doc, c)]) for c in coders]
        for c, k in zip(coders, counts):
            if not 25 <= k <= 40:
                errors.append(f"{doc}: {c} has {k} codings (want 25-40)")
        a, s = spans[(doc, "alex")], spans[(doc, "sam")]
        ov = sum(any(code == c2 and st < e2 and st2 < e for c2, st2, e2 in s) for code, st, e in a)
        tot_a += len(a); tot_o += ov
        pct = 100 * ov / len(a) if a else 0
        print(f"{doc:<10}" + "".join(f"{k:>8}" for k in counts) + f"   {ov}/{len(a)} = {pct:.0f}%")
    if tot_a:
        print(f"{'all':<10}" + "".join(f"{sum(len(spans[(d['document'], c)]) for d in docs):>8}" for c in coders)
              + f"   {tot_o}/{tot_a} = {100 * tot_o / tot_a:.1f}%")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("\nall checks passed")


if __name__ == "__main__":
    main()
