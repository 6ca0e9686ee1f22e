//! GUIDs: generation and normalisation (`{...}` stripped, upper case).

/// A new random (v4) GUID, upper case, `8-4-4-4-12`.
pub fn new_guid() -> String {
    uuid::Uuid::new_v4()
        .hyphenated()
        .to_string()
        .to_ascii_uppercase()
}

/// True for a bare `8-4-4-4-12` hex GUID (no braces).
pub(super) fn is_plain_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// What normalising a GUID changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct GuidFix {
    pub braces: bool,
    pub case: bool,
}

/// Normalises a GUID as written in a file: trims, strips `{}`, upper-cases.
/// `None` if it is not a GUID.
pub(super) fn normalize_guid(raw: &str) -> Option<(String, GuidFix)> {
    let t = raw.trim();
    let (inner, braces) = match t.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        Some(inner) => (inner, true),
        None => (t, false),
    };
    if !is_plain_guid(inner) {
        return None;
    }
    let upper = inner.to_ascii_uppercase();
    let case = upper != inner;
    Some((upper, GuidFix { braces, case }))
}
