//! Lexical checks for XML Schema values (dates, typed variable values).

use super::model::VariableType;

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Strips an optional `Z` / `+hh:mm` / `-hh:mm` suffix; `None` if malformed.
fn strip_tz(s: &str) -> Option<&str> {
    if !s.is_ascii() {
        return None;
    }
    if let Some(rest) = s.strip_suffix('Z') {
        return Some(rest);
    }
    if s.len() > 6 {
        let (head, tz) = s.split_at(s.len() - 6);
        let b = tz.as_bytes();
        if (b[0] == b'+' || b[0] == b'-') && b[3] == b':' {
            let ok = digits(&tz[1..3], 2).is_some_and(|h| h <= 14)
                && digits(&tz[4..6], 2).is_some_and(|m| m <= 59);
            return ok.then_some(head);
        }
    }
    Some(s)
}

fn is_date_part(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let mut it = s.rsplitn(3, '-');
    let (Some(d), Some(m), Some(y)) = (it.next(), it.next(), it.next()) else {
        return false;
    };
    if y.len() < 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match (y.parse::<i32>(), digits(m, 2), digits(d, 2)) {
        (Ok(y), Some(m), Some(d)) => chrono::NaiveDate::from_ymd_opt(y, m, d).is_some(),
        _ => false,
    }
}

fn is_time_part(s: &str) -> bool {
    let (hms, frac) = match s.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (s, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let parts: Vec<&str> = hms.split(':').collect();
    if parts.len() != 3 {
        return false;
    }
    matches!(
        (digits(parts[0], 2), digits(parts[1], 2), digits(parts[2], 2)),
        (Some(h), Some(m), Some(sec)) if h <= 23 && m <= 59 && sec <= 59
    )
}

/// `xs:dateTime`, e.g. `2024-05-01T10:20:30Z`.
pub(super) fn is_xs_datetime(s: &str) -> bool {
    let Some(s) = strip_tz(s) else { return false };
    match s.split_once('T') {
        Some((d, t)) => is_date_part(d) && is_time_part(t),
        None => false,
    }
}

/// `xs:date`, e.g. `2024-05-01`.
pub(super) fn is_xs_date(s: &str) -> bool {
    strip_tz(s).is_some_and(is_date_part)
}

/// A valid `xs:dateTime` as is, a `YYYY-MM-DD hh:mm:ss` one with the space
/// turned into `T`, or `None`.
pub(super) fn normalize_datetime(s: &str) -> Option<String> {
    let t = s.trim();
    if is_xs_datetime(t) {
        return Some(t.to_string());
    }
    let fixed = t.replacen(' ', "T", 1);
    is_xs_datetime(&fixed).then_some(fixed)
}

fn is_integer(s: &str) -> bool {
    let d = s.strip_prefix(['+', '-']).unwrap_or(s);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

fn is_decimal(s: &str) -> bool {
    let d = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (a, b) = d.split_once('.').unwrap_or((d, ""));
    (!a.is_empty() || !b.is_empty())
        && a.bytes().all(|c| c.is_ascii_digit())
        && b.bytes().all(|c| c.is_ascii_digit())
}

/// Whether `value` is a valid lexical form for the typed value element of `kind`.
pub(super) fn fits(kind: VariableType, value: &str) -> bool {
    match kind {
        VariableType::Text => true,
        VariableType::Boolean => matches!(value, "true" | "false" | "1" | "0"),
        VariableType::Integer => is_integer(value),
        VariableType::Float => is_decimal(value),
        VariableType::Date => is_xs_date(value),
        VariableType::DateTime => is_xs_datetime(value),
    }
}

/// The `VariableValue` child element that carries a value of `kind`.
pub(super) fn value_element(kind: VariableType) -> &'static str {
    match kind {
        VariableType::Text => "TextValue",
        VariableType::Boolean => "BooleanValue",
        VariableType::Integer => "IntegerValue",
        VariableType::Float => "FloatValue",
        VariableType::Date => "DateValue",
        VariableType::DateTime => "DateTimeValue",
    }
}

pub(super) const VALUE_ELEMENTS: [&str; 6] = [
    "TextValue",
    "BooleanValue",
    "IntegerValue",
    "FloatValue",
    "DateValue",
    "DateTimeValue",
];

/// Normalises a colour to `#RRGGBB` (upper case); `None` if not `#RGB`/`#RRGGBB`.
pub(super) fn normalize_color(s: &str) -> Option<String> {
    let hex = s.trim().strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let full = match hex.len() {
        6 => hex.to_string(),
        3 => hex.chars().flat_map(|c| [c, c]).collect(),
        _ => return None,
    };
    Some(format!("#{}", full.to_ascii_uppercase()))
}
