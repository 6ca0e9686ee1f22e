//! Clock-time parsing shared by all formats: `m:ss`, `mm:ss`, `h:mm:ss`,
//! each optionally with a `.mmm` or `,mmm` fraction.

/// Parse a clock time into milliseconds. The whole string must be the time.
pub(crate) fn parse_clock(s: &str) -> Option<i64> {
    let (main, frac) = match s.find(['.', ',']) {
        Some(i) => (s.get(..i)?, Some(s.get(i + 1..)?)),
        None => (s, None),
    };
    let parts: Vec<&str> = main.split(':').collect();
    let (h, m, sec) = match parts.as_slice() {
        [m, s] => (0, number(m, 4)?, number(s, 2)?),
        [h, m, s] => {
            let m = number(m, 2)?;
            if m >= 60 {
                return None;
            }
            (number(h, 4)?, m, number(s, 2)?)
        }
        _ => return None,
    };
    if sec >= 60 {
        return None;
    }
    let ms = match frac {
        None => 0,
        Some(f) => {
            let v = number(f, 3)?;
            match f.len() {
                1 => v * 100,
                2 => v * 10,
                _ => v,
            }
        }
    };
    Some(((h * 60 + m) * 60 + sec) * 1000 + ms)
}

/// 1..=max ASCII digits.
fn number(s: &str, max: usize) -> Option<i64> {
    if s.is_empty() || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A time in `[...]` or `(...)` at the start of `s`: returns the time and
/// the number of bytes consumed (including the brackets).
pub(crate) fn parse_bracketed(s: &str) -> Option<(i64, usize)> {
    let close = match s.as_bytes().first()? {
        b'[' => ']',
        b'(' => ')',
        _ => return None,
    };
    let end = s.find(close)?;
    if end > 24 {
        return None;
    }
    let ms = parse_clock(s.get(1..end)?.trim())?;
    Some((ms, end + 1))
}

/// Parse a cue timing line `START --> END [settings]` into (start, end) ms.
pub(crate) fn parse_timing_line(line: &str) -> Option<(i64, i64)> {
    let idx = line.find("-->")?;
    let left = line.get(..idx)?.trim();
    let right = line.get(idx + 3..)?.trim_start();
    let right = right.split_whitespace().next()?;
    Some((parse_clock(left)?, parse_clock(right)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks() {
        assert_eq!(parse_clock("0:05"), Some(5_000));
        assert_eq!(parse_clock("1:02:03"), Some(3_723_000));
        assert_eq!(parse_clock("00:00:01.500"), Some(1_500));
        assert_eq!(parse_clock("00:00:01,5"), Some(1_500));
        assert_eq!(parse_clock("75:00"), Some(4_500_000));
        assert_eq!(parse_clock("00:00:0x"), None);
        assert_eq!(parse_clock("1:60"), None);
        assert_eq!(parse_clock("1:70:00"), None);
        assert_eq!(parse_clock(""), None);
        assert_eq!(parse_clock("12"), None);
        assert_eq!(parse_clock("1:2:3:4"), None);
        assert_eq!(parse_clock("99999999999:00:00"), None);
    }

    #[test]
    fn bracketed() {
        assert_eq!(parse_bracketed("[00:01:23] hi"), Some((83_000, 10)));
        assert_eq!(parse_bracketed("(0:05):"), Some((5_000, 6)));
        assert_eq!(parse_bracketed("[laughs]"), None);
        assert_eq!(parse_bracketed("[00:01"), None);
        assert_eq!(parse_bracketed(""), None);
    }

    #[test]
    fn timing_lines() {
        assert_eq!(
            parse_timing_line("00:00:01.000 --> 00:00:04.000 align:start"),
            Some((1_000, 4_000))
        );
        assert_eq!(
            parse_timing_line("00:01.000 --> 00:04.250"),
            Some((1_000, 4_250))
        );
        assert_eq!(parse_timing_line("00:00:0x --> 00:00:04.000"), None);
        assert_eq!(parse_timing_line("00:00:01.000 -->"), None);
    }
}
