//! The transcript formats the importer understands.

/// A transcript file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Text,
    Vtt,
    Srt,
    Otter,
    Rev,
    Docx,
    /// Whisper / WhisperX JSON.
    Json,
}

const ALL: [Format; 7] = [
    Format::Text,
    Format::Vtt,
    Format::Srt,
    Format::Otter,
    Format::Rev,
    Format::Docx,
    Format::Json,
];

impl Format {
    /// Short lowercase name: "text", "vtt", "srt", "otter", "rev", "docx", "json".
    pub fn name(&self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Vtt => "vtt",
            Format::Srt => "srt",
            Format::Otter => "otter",
            Format::Rev => "rev",
            Format::Docx => "docx",
            Format::Json => "json",
        }
    }

    /// Inverse of [`Format::name`] (case-insensitive, surrounding space ignored;
    /// "txt" is accepted as an alias of "text").
    pub fn from_name(s: &str) -> Option<Format> {
        let s = s.trim().to_ascii_lowercase();
        if s == "txt" {
            return Some(Format::Text);
        }
        ALL.iter().copied().find(|f| f.name() == s)
    }

    /// Every format, in a stable order.
    pub fn all() -> &'static [Format] {
        &ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::all() {
            assert_eq!(Format::from_name(f.name()), Some(*f));
        }
        assert_eq!(Format::from_name(" VTT "), Some(Format::Vtt));
        assert_eq!(Format::from_name("txt"), Some(Format::Text));
        assert_eq!(Format::from_name("pdf"), None);
        assert_eq!(Format::all().len(), 7);
    }
}
