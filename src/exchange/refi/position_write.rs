//! Export side of REFI-QDA positions: writing `PlainTextSelection` offsets (and the source text
//! they index) in the counting the receiving tool reads. Thematic stores code points of an LF
//! text without a BOM, which is what REFI-QDA 1.5 §10.2 specifies ("standard"). Real tools
//! differ; what each one reads, and the evidence:
//!
//! - **NVivo** (Windows 12.x / 14, Mac): UTF-16 code units (a character outside the Basic
//!   Multilingual Plane, such as most emoji, counts 2), the text stored with CRLF line breaks
//!   counted as 2, a byte-order mark not counted. Evidence: issue 10 §1 (four real NVivo
//!   projects whose 952 of 1,027 codings shift by the number of emoji before them when read as
//!   code points); QualCoder's importer (`refi.py`, `load_text_source`) detects the CRLF in
//!   NVivo's `.txt` sources and pads every line break to two characters so NVivo's positions
//!   land ("The text may need an additional line-ending character for Windows: \r\n").
//! - **ATLAS.ti** (Windows 9+): the source `.txt` carries CRLF, but positions count a line break
//!   as **one** character. Evidence: QualCoder's importer exempts ATLAS.ti from its CRLF padding,
//!   its comment saying ATLAS.ti stores positions "as though it is \n, one character" while the
//!   source.txt stores \r\n, "treated as one character" in ATLAS.ti; and its export dialog
//!   offers "Add line ending for ATLAS.ti importation". Characters outside
//!   the BMP: ATLAS.ti for Windows is a .NET program whose string indices are UTF-16 units; no
//!   public file shows it either way, so this is an inference (said in the export message).
//! - **MAXQDA**: like ATLAS.ti — CRLF in the text, a line break counted once. Evidence:
//!   QualCoder's export option "Add line ending for MAXQDA importation" rewrites each `\n` of
//!   the source text as `\r\n` while leaving every position unchanged (`refi.py`,
//!   `export_project`), i.e. MAXQDA reads a CRLF text and counts a break as one. UTF-16 units
//!   outside the BMP: inference (a Windows program on UTF-16 strings), not verified.
//! - **QualCoder**: code points (it slices a Python `str`: `fulltext[pos0:pos1]`) of the text
//!   read with universal newlines (CRLF becomes one `\n`), read as `utf-8` so a BOM would count
//!   as a character: we write LF text without a BOM, i.e. exactly the standard counting. (Given a
//!   CRLF text it would pad line breaks to two characters, so LF is the safe choice.)
//!
//! The conversion is one pass over the text with a checkpoint every [`STRIDE`] code points, so
//! converting every selection of a long document stays linear.

/// Which tool the export is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// REFI-QDA 1.5: code points of the LF text.
    #[default]
    Standard,
    Nvivo,
    Atlasti,
    Maxqda,
    Qualcoder,
}

/// How a target counts, and how its source text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counting {
    /// Positions count UTF-16 code units (else code points).
    pub utf16: bool,
    /// The source text is written with CRLF line breaks (else LF).
    pub crlf_text: bool,
    /// Units one line break counts for.
    pub line_break: usize,
}

impl Target {
    pub fn counting(self) -> Counting {
        match self {
            Target::Standard | Target::Qualcoder => Counting {
                utf16: false,
                crlf_text: false,
                line_break: 1,
            },
            Target::Nvivo => Counting {
                utf16: true,
                crlf_text: true,
                line_break: 2,
            },
            Target::Atlasti | Target::Maxqda => Counting {
                utf16: true,
                crlf_text: true,
                line_break: 1,
            },
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Target::Standard => "the REFI-QDA standard",
            Target::Nvivo => "NVivo",
            Target::Atlasti => "ATLAS.ti",
            Target::Maxqda => "MAXQDA",
            Target::Qualcoder => "QualCoder",
        }
    }

    /// One line for the user: what was written, and what rests on inference.
    pub fn describe(self) -> &'static str {
        match self {
            Target::Standard => "positions in code points, LF line breaks (REFI-QDA 1.5)",
            Target::Qualcoder => {
                "positions in code points, LF line breaks (as QualCoder reads them)"
            }
            Target::Nvivo => {
                "positions in UTF-16 units, CRLF line breaks counted as 2 (as NVivo writes them)"
            }
            Target::Atlasti => {
                "positions in UTF-16 units, CRLF line breaks counted as 1 (line breaks as ATLAS.ti \
                 writes them; UTF-16 for emoji is inferred, not verified)"
            }
            Target::Maxqda => {
                "positions in UTF-16 units, CRLF line breaks counted as 1 (line breaks as QualCoder \
                 exports for MAXQDA; UTF-16 for emoji is inferred, not verified)"
            }
        }
    }
}

/// Units a target counts for one character of the canonical (LF) text.
fn units(c: char, counting: Counting) -> usize {
    if c == '\n' {
        counting.line_break
    } else if counting.utf16 {
        c.len_utf16()
    } else {
        1
    }
}

/// The source text as written for the target (CRLF where the tool stores it so).
pub fn text_for(text: &str, target: Target) -> std::borrow::Cow<'_, str> {
    if target.counting().crlf_text && text.contains('\n') {
        std::borrow::Cow::Owned(text.replace('\n', "\r\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

const STRIDE: usize = 64;

/// Converts code-point offsets of one canonical text into a target's units.
pub struct PositionWriter<'a> {
    text: &'a str,
    counting: Counting,
    /// Every STRIDE-th code point: (byte offset, target units before it).
    marks: Vec<(usize, usize)>,
    chars: usize,
    total: usize,
    /// The target counts exactly as code points (nothing to convert).
    identity: bool,
}

impl<'a> PositionWriter<'a> {
    pub fn new(text: &'a str, target: Target) -> PositionWriter<'a> {
        let counting = target.counting();
        let identity = !counting.utf16 && counting.line_break == 1;
        let mut marks = Vec::new();
        let (mut chars, mut total) = (0usize, 0usize);
        for (b, c) in text.char_indices() {
            if !identity && chars % STRIDE == 0 {
                marks.push((b, total));
            }
            chars += 1;
            total += units(c, counting);
        }
        PositionWriter {
            text,
            counting,
            marks,
            chars,
            total,
            identity,
        }
    }

    /// The target's position for code point `pos` (clamped to the end of the text).
    pub fn convert(&self, pos: usize) -> usize {
        if self.identity {
            return pos.min(self.chars);
        }
        if pos >= self.chars {
            return self.total;
        }
        let (byte, before) = self.marks[pos / STRIDE];
        before
            + self.text[byte..]
                .chars()
                .take(pos % STRIDE)
                .map(|c| units(c, self.counting))
                .sum::<usize>()
    }

    /// Length of the whole text in the target's units.
    pub fn total(&self) -> usize {
        self.total
    }
}

/// The inverse: a target's position in its written text back to a code point of the canonical
/// text (a position inside a surrogate pair or a CRLF moves to the character's start). Used to
/// check round trips independently of the import side.
pub fn to_code_points(canonical: &str, target: Target, pos: usize) -> usize {
    let counting = target.counting();
    let mut seen = 0usize;
    for (i, c) in canonical.chars().enumerate() {
        let next = seen + units(c, counting);
        if next > pos {
            return i;
        }
        seen = next;
    }
    canonical.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Target; 5] = [
        Target::Standard,
        Target::Nvivo,
        Target::Atlasti,
        Target::Maxqda,
        Target::Qualcoder,
    ];

    /// A transcript with what shifts positions: emoji (outside the BMP), CJK, a combining mark,
    /// line breaks; long enough to cross several checkpoints.
    fn transcript() -> String {
        let mut t = String::new();
        for i in 0..30 {
            t.push_str(&format!(
                "Speaker {i}: I laughed 🤣 so hard, 日本語 too, and café (cafe\u{301}).\n"
            ));
        }
        t
    }

    /// The quote a tool shows for [start, end) of its written text, read its own way.
    fn quote_as_tool_reads(written: &str, target: Target, start: usize, end: usize) -> String {
        let c = target.counting();
        let s = if c.crlf_text && c.line_break == 1 {
            // The tool reads the CRLF text with each break as one character.
            written.replace("\r\n", "\n")
        } else {
            written.to_string()
        };
        let quoted = if c.utf16 {
            let u: Vec<u16> = s.encode_utf16().collect();
            String::from_utf16(&u[start..end]).expect("whole characters")
        } else {
            s.chars().skip(start).take(end - start).collect()
        };
        quoted.replace("\r\n", "\n")
    }

    /// Every selection after emoji, CJK, combining marks and line breaks quotes the same text
    /// in each target's own reading of the written file, and converts back exactly.
    #[test]
    fn every_target_round_trips_and_quotes_the_same_text() {
        let text = transcript();
        let chars: Vec<char> = text.chars().collect();
        // Word-boundary selections: each "so hard" and each line.
        let mut sels = Vec::new();
        let mut line_start = 0;
        for (i, c) in chars.iter().enumerate() {
            if *c == '\n' {
                sels.push((line_start, i + 1));
                line_start = i + 1;
            }
        }
        for (b, _) in text.match_indices("so hard") {
            let s = text[..b].chars().count();
            sels.push((s, s + 7));
        }
        for target in ALL {
            let w = PositionWriter::new(&text, target);
            let written = text_for(&text, target);
            for &(s, e) in &sels {
                let (ts, te) = (w.convert(s), w.convert(e));
                let want: String = chars[s..e].iter().collect();
                assert_eq!(
                    quote_as_tool_reads(&written, target, ts, te),
                    want,
                    "{target:?} {s}..{e}"
                );
                assert_eq!(to_code_points(&text, target, ts), s, "{target:?} back");
                assert_eq!(to_code_points(&text, target, te), e, "{target:?} back");
            }
        }
    }

    #[test]
    fn nvivo_counts_emoji_twice_and_line_breaks_twice() {
        let text = "a🤣\nb";
        let w = PositionWriter::new(text, Target::Nvivo);
        assert_eq!(
            (0..=4).map(|p| w.convert(p)).collect::<Vec<_>>(),
            [0, 1, 3, 5, 6]
        );
        assert_eq!(w.total(), 6);
        assert_eq!(text_for(text, Target::Nvivo), "a🤣\r\nb");
        let w = PositionWriter::new(text, Target::Maxqda);
        assert_eq!(w.convert(4), 5);
        assert_eq!(text_for(text, Target::Standard), text);
        let w = PositionWriter::new(text, Target::Qualcoder);
        assert_eq!(w.convert(3), 3);
        assert_eq!(w.convert(99), 4);
    }
}
