//! How speaker labels are found for one import: by the heuristics (the default), or forced by
//! the user with `--speakers "F,27,28"` (exactly these names are labels) or `--label-pattern
//! REGEX` (what ATLAS.ti's and QualCoder's speaker patterns do).

use regex::Regex;

use crate::import::format::Format;
use crate::import::label::{LabelKind, LabelMatch};
use crate::import::timecode::parse_clock;

/// Which lines (paragraphs, cue texts) start a speaker's turn.
#[derive(Debug, Clone, Default)]
pub enum SpeakerRule {
    /// Label shapes found by the heuristics, accepted when they recur, are roles, carry a
    /// time, or the file is dense with them.
    #[default]
    Auto,
    /// Only these names, each followed by `:` (or written `[NAME]`, or Otter's `NAME  0:05`).
    Names(Vec<String>),
    /// A regular expression matched at the start of each line: the group named `speaker` (or
    /// else group 1) is the speaker, an optional group named `time` (m:ss or h:mm:ss) the
    /// turn's time; the speech starts after the whole match.
    Pattern(Regex),
}

/// Options of one import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Format to use instead of detecting it.
    pub format: Option<Format>,
    pub speakers: SpeakerRule,
}

impl SpeakerRule {
    /// From the CLI's `--speakers` list (comma-separated).
    pub fn names(list: &str) -> Result<SpeakerRule, String> {
        let names: Vec<String> = list
            .split(',')
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() {
            return Err("--speakers needs at least one name, e.g. --speakers \"F,27,28\"".into());
        }
        if let Some(long) = names.iter().find(|n| n.chars().count() > MAX_FORCED_CHARS) {
            return Err(format!(
                "--speakers: '{}…' is longer than {MAX_FORCED_CHARS} characters",
                long.chars().take(20).collect::<String>()
            ));
        }
        Ok(SpeakerRule::Names(names))
    }

    /// From the CLI's `--label-pattern`.
    pub fn pattern(re: &str) -> Result<SpeakerRule, String> {
        let regex = regex::RegexBuilder::new(re)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| format!("--label-pattern is not a valid regular expression: {e}"))?;
        if regex.captures_len() < 2 {
            return Err(
                "--label-pattern needs a capture group for the speaker, e.g. '^([A-Z][0-9]*):'"
                    .into(),
            );
        }
        Ok(SpeakerRule::Pattern(regex))
    }

    pub(crate) fn is_auto(&self) -> bool {
        matches!(self, SpeakerRule::Auto)
    }

    /// The forced label at the start of `line`, or None (also None for [`SpeakerRule::Auto`]).
    pub(crate) fn forced(&self, line: &str) -> Option<LabelMatch> {
        match self {
            SpeakerRule::Auto => None,
            SpeakerRule::Names(names) => by_name(names, line),
            SpeakerRule::Pattern(re) => by_pattern(re, line),
        }
    }
}

/// Names given explicitly may be longer than the heuristics allow, but not unbounded.
pub(crate) const MAX_FORCED_CHARS: usize = 100;

fn by_name(names: &[String], line: &str) -> Option<LabelMatch> {
    let lead = line.len() - line.trim_start().len();
    let rest = line.get(lead..)?;
    // Longest name first, so "M2" is not taken as "M" followed by "2:".
    let mut best: Option<LabelMatch> = None;
    for name in names {
        let found = if let Some(after) = rest
            .strip_prefix('[')
            .and_then(|r| r.strip_prefix(name.as_str()))
            .and_then(|r| r.strip_prefix(']'))
        {
            let close = lead + 1 + name.len() + 1;
            let skip = after.strip_prefix(':').map_or(0, |_| 1);
            Some((close - 1, close + skip, None))
        } else if let Some(after) = rest.strip_prefix(name.as_str()) {
            let trimmed = after.trim_start();
            let name_end = lead + name.len();
            if let Some(speech) = trimmed.strip_prefix(':') {
                Some((name_end, line.len() - speech.len(), None))
            } else if after.starts_with(char::is_whitespace)
                && let Some(ms) = parse_clock(trimmed.trim_end())
            {
                Some((name_end, line.len(), Some(ms)))
            } else {
                None
            }
        } else {
            None
        };
        if let Some((name_end, content, ts_ms)) = found
            && best
                .as_ref()
                .is_none_or(|b| b.name.as_ref().is_some_and(|n| n.len() < name.len()))
        {
            best = Some(LabelMatch {
                name: Some(name.clone()),
                ts_ms,
                content,
                name_end,
                kind: LabelKind::Colon,
            });
        }
    }
    best
}

fn by_pattern(re: &Regex, line: &str) -> Option<LabelMatch> {
    let caps = re.captures(line)?;
    let whole = caps.get(0)?;
    if whole.start() != 0 {
        return None;
    }
    let group = caps.name("speaker").or_else(|| caps.get(1))?;
    let name = group
        .as_str()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() || name.chars().count() > MAX_FORCED_CHARS {
        return None;
    }
    let ts_ms = caps
        .name("time")
        .and_then(|t| parse_clock(t.as_str().trim()));
    Some(LabelMatch {
        name: Some(name),
        ts_ms,
        content: whole.end(),
        name_end: group.end(),
        kind: LabelKind::Colon,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(rule: &SpeakerRule, line: &str) -> Option<(String, String, Option<i64>)> {
        rule.forced(line).map(|m| {
            (
                m.name.unwrap(),
                line[m.content..].trim().to_string(),
                m.ts_ms,
            )
        })
    }

    #[test]
    fn names_are_exact_and_longest_first() {
        let r = SpeakerRule::names("M, M2 ,27,Dr. Doe (she/her)").unwrap();
        assert_eq!(take(&r, "M2: yes"), Some(("M2".into(), "yes".into(), None)));
        assert_eq!(take(&r, "M : ok"), Some(("M".into(), "ok".into(), None)));
        assert_eq!(take(&r, "27:"), Some(("27".into(), "".into(), None)));
        assert_eq!(
            take(&r, "Dr. Doe (she/her): hi"),
            Some(("Dr. Doe (she/her)".into(), "hi".into(), None))
        );
        assert_eq!(
            take(&r, "[27] fine"),
            Some(("27".into(), "fine".into(), None))
        );
        assert_eq!(
            take(&r, "27  1:05"),
            Some(("27".into(), "".into(), Some(65_000)))
        );
        assert_eq!(take(&r, "Mary: no"), None);
        assert_eq!(take(&r, "28: no"), None);
        assert!(SpeakerRule::names(" , ").is_err());
        assert!(SpeakerRule::names(&"x".repeat(101)).is_err());
    }

    #[test]
    fn pattern_groups() {
        let r = SpeakerRule::pattern(r"(?P<speaker>[A-Z]\d*)\s+\((?P<time>[\d:]+)\)\s*").unwrap();
        assert_eq!(
            take(&r, "R1 (01:02) so"),
            Some(("R1".into(), "so".into(), Some(62_000)))
        );
        assert_eq!(take(&r, "x R1 (01:02) so"), None);
        let r = SpeakerRule::pattern(r"^(\w+)>").unwrap();
        assert_eq!(take(&r, "ann> hi"), Some(("ann".into(), "hi".into(), None)));
        assert!(SpeakerRule::pattern("^[A-Z]+:").is_err());
        assert!(SpeakerRule::pattern("(").is_err());
    }
}
