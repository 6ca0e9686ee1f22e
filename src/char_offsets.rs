//! Code-point offsets into a long text without walking it from the start each time.
//!
//! Studies store ranges in code points; Rust slices by bytes. `text::slice_chars` walks from the
//! start of the text on every call, so slicing every turn or coding of a document cost
//! turns × document length (`show` on a 20,000-turn document took 8.8 s). A [`CharOffsets`] is
//! built once per text in one pass and answers each offset in a bounded walk of at most
//! [`STRIDE`] code points, so a command stays linear in the document.

/// Code points between two recorded byte offsets: memory is 1/STRIDE of a `usize` per code
/// point, and a lookup walks at most STRIDE − 1 code points.
const STRIDE: usize = 64;

/// Byte offsets of every STRIDE-th code point of one text.
pub struct CharOffsets<'a> {
    text: &'a str,
    /// `marks[k]` is the byte offset of code point `k * STRIDE`.
    marks: Vec<usize>,
    chars: usize,
    /// All ASCII: code point offsets are byte offsets.
    ascii: bool,
}

impl<'a> CharOffsets<'a> {
    pub fn new(text: &'a str) -> CharOffsets<'a> {
        if text.is_ascii() {
            return CharOffsets {
                text,
                marks: Vec::new(),
                chars: text.len(),
                ascii: true,
            };
        }
        let mut marks = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut chars = 0;
        for (b, _) in text.char_indices() {
            if chars % STRIDE == 0 {
                marks.push(b);
            }
            chars += 1;
        }
        CharOffsets {
            text,
            marks,
            chars,
            ascii: false,
        }
    }

    /// Number of code points in the text.
    pub fn len(&self) -> usize {
        self.chars
    }

    pub fn is_empty(&self) -> bool {
        self.chars == 0
    }

    /// Byte offset of code point `char_offset` (the text's length at or past its end), as
    /// `text::byte_index` gives it.
    pub fn byte(&self, char_offset: usize) -> usize {
        if char_offset >= self.chars {
            return self.text.len();
        }
        if self.ascii {
            return char_offset;
        }
        let from = self.marks[char_offset / STRIDE];
        let skip = char_offset % STRIDE;
        from + self.text[from..]
            .char_indices()
            .nth(skip)
            .map_or(self.text.len() - from, |(b, _)| b)
    }

    /// The code points [start, end) (clamped to the text; empty when end ≤ start), as
    /// `text::slice_chars` gives them.
    pub fn slice(&self, start: usize, end: usize) -> &'a str {
        let b0 = self.byte(start);
        let b1 = self.byte(end.max(start));
        &self.text[b0..b1]
    }

    /// Like [`slice`](Self::slice) for stored (signed) offsets; negative ones count as 0.
    pub fn slice_i64(&self, start: i64, end: i64) -> &'a str {
        self.slice(start.max(0) as usize, end.max(0) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::slice_chars;

    /// Every range of a text mixing 1-, 2-, 3- and 4-byte code points, across stride borders,
    /// agrees with the walk-from-the-start reference.
    #[test]
    fn agrees_with_slice_chars_everywhere() {
        let unit = "ab é 中文 🤣 x\u{301}\n";
        let text: String = unit.repeat(40);
        let idx = CharOffsets::new(&text);
        let n = text.chars().count();
        assert_eq!(idx.len(), n);
        for start in (0..n + 3).step_by(7) {
            for end in (start..n + 5).step_by(13) {
                assert_eq!(
                    idx.slice(start, end),
                    slice_chars(&text, start, end),
                    "{start}..{end}"
                );
            }
            assert_eq!(idx.byte(start), crate::text::byte_index(&text, start));
        }
    }

    #[test]
    fn ascii_and_empty_texts() {
        let idx = CharOffsets::new("hello world");
        assert_eq!(idx.slice(6, 11), "world");
        assert_eq!(idx.slice(6, 100), "world");
        assert_eq!(idx.slice(9, 3), "");
        assert_eq!(idx.slice_i64(-4, 5), "hello");
        let empty = CharOffsets::new("");
        assert!(empty.is_empty());
        assert_eq!(empty.slice(0, 3), "");
    }
}
