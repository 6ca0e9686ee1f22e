#!/usr/bin/env python3
"""Build sample_transcripts/FG4.docx from sample_transcripts/source/FG4.md.

Stdlib only. The source has one `Name: text` paragraph per turn; a line
without a label continues the previous turn and becomes a soft line break
(<w:br/>) inside the same Word paragraph. Each turn is written as a bold
run "Name:", a tab (<w:tab/>), then a normal run with the text.
"""
import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "sample_transcripts" / "source" / "FG4.md"
OUT = ROOT / "sample_transcripts" / "FG4.docx"
LABEL = re.compile(r"^([A-Z][A-Za-z\u00C0-\u017F]*): (.*)$")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""

DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>"""

CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Focus group 4 (synthetic sample transcript)</dc:title>
<dc:creator>Thematic sample data</dc:creator>
<dcterms:created xsi:type="dcterms:W3CDTF">2025-03-25T10:00:00Z</dcterms:created>
</cp:coreProperties>"""


def parse(path):
    turns = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        m = LABEL.match(line)
        if m:
            turns.append((m.group(1), [m.group(2)]))
        elif turns:
            turns[-1][1].append(line.strip())
        else:
            sys.exit(f"{path}:{n}: text before the first speaker label")
    return turns


def text_run(text):
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def paragraph(speaker, lines):
    runs = [f'<w:r><w:rPr><w:b/></w:rPr><w:t>{escape(speaker)}:</w:t></w:r>',
            '<w:r><w:tab/></w:r>']
    for i, line in enumerate(lines):
        if i:
            runs.append('<w:r><w:br/></w:r>')
        runs.append(text_run(line))
    return '<w:p>' + ''.join(runs) + '</w:p>'


def build(turns):
    body = ''.join(paragraph(s, l) for s, l in turns)
    sect = ('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
            '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" '
            'w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W}"><w:body>{body}{sect}</w:body></w:document>')


def main():
    turns = parse(SRC)
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("docProps/core.xml", CORE),
        ("word/document.xml", build(turns)),
        ("word/_rels/document.xml.rels", DOC_RELS),
    ]
    with zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2025, 3, 25, 10, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8"))
    breaks = sum(len(l) - 1 for _, l in turns)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(turns)} paragraphs, {breaks} soft line break(s)")


if __name__ == "__main__":
    main()
