//! Cue payload markup: `<v Name>` voice spans, other tags, HTML entities.

/// Decode the HTML entities used in captions (&amp; &lt; &gt; &quot; &apos;
/// &nbsp; &lrm; &rlm; and numeric references). Unknown ones stay literal.
/// `&nbsp;` becomes a plain space.
pub(crate) fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or(""));
        let after = rest.get(amp + 1..).unwrap_or("");
        let decoded = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .and_then(|(semi, _)| Some((entity(after.get(..semi)?)?, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = after.get(semi + 1..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code).filter(|&c| c != '\0')?
        }
    })
}

/// Remove `<...>` tags and `{\...}` override codes; a `<` with no closing
/// `>` is kept as text.
pub(crate) fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    // Once a closer is known to be absent, never search for it again.
    let (mut no_gt, mut no_brace) = (false, false);
    while let Some(i) = rest.find(['<', '{']) {
        out.push_str(rest.get(..i).unwrap_or(""));
        let tail = rest.get(i..).unwrap_or("");
        let close = if tail.starts_with('<') && !no_gt {
            let c = tail.find('>');
            no_gt = c.is_none();
            c
        } else if tail.starts_with("{\\") && !no_brace {
            let c = tail.find('}');
            no_brace = c.is_none();
            c
        } else {
            None
        };
        match close {
            Some(c) => rest = tail.get(c + 1..).unwrap_or(""),
            None => {
                out.push_str(tail.get(..1).unwrap_or(""));
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// Collapse all whitespace runs (including newlines) to single spaces.
pub(crate) fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plain cue text: tags stripped, entities decoded, whitespace collapsed.
pub(crate) fn cue_text(s: &str) -> String {
    collapse_ws(&decode_entities(&strip_tags(s)))
}

/// Split a payload at `<v Name>` tags: (speaker, plain text) per span; text
/// before the first voice tag has speaker None.
pub(crate) fn voice_spans(payload: &str) -> Vec<(Option<String>, String)> {
    let mut spans = Vec::new();
    let mut speaker: Option<String> = None;
    let mut rest = payload;
    loop {
        let Some((i, tag_end, name)) = next_voice(rest) else {
            spans.push((speaker, cue_text(rest)));
            break;
        };
        spans.push((speaker.take(), cue_text(rest.get(..i).unwrap_or(""))));
        speaker = Some(collapse_ws(&decode_entities(&name)));
        rest = rest.get(tag_end..).unwrap_or("");
    }
    spans
        .into_iter()
        .filter(|(sp, t)| sp.is_some() || !t.is_empty())
        .collect()
}

/// Find `<v Name>` / `<v.class Name>`: (start, end after '>', name).
fn next_voice(s: &str) -> Option<(usize, usize, String)> {
    let mut from = 0;
    while let Some(rel) = s.get(from..)?.find("<v") {
        let i = from + rel;
        let tail = s.get(i + 2..)?;
        if tail.starts_with([' ', '\t', '.']) {
            let close = tail.find('>')?;
            let inside = tail.get(..close)?;
            let name = match inside.find([' ', '\t']) {
                Some(sp) => inside.get(sp..)?.trim().to_string(),
                None => String::new(),
            };
            return Some((i, i + 2 + close + 1, name));
        }
        from = i + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities() {
        assert_eq!(decode_entities("a &amp; b &lt;3&gt;"), "a & b <3>");
        assert_eq!(decode_entities("x&nbsp;y&lrm;&rlm;"), "x y\u{200E}\u{200F}");
        assert_eq!(
            decode_entities("&#233;&#xE9;&#0;&bogus;&"),
            "éé&#0;&bogus;&"
        );
        assert_eq!(decode_entities("AT&T; fine"), "AT&T; fine");
    }

    #[test]
    fn tags() {
        assert_eq!(strip_tags("<c.yellow>hi</c> <i>there</i>"), "hi there");
        assert_eq!(strip_tags("{\\an8}top"), "top");
        assert_eq!(strip_tags("a < b"), "a < b");
        assert_eq!(strip_tags("{not a code}"), "{not a code}");
        assert_eq!(strip_tags("a<b<c>d"), "ad");
        let many = "<".repeat(20_000);
        assert_eq!(strip_tags(&many), many);
        let amps = "&".repeat(20_000);
        assert_eq!(decode_entities(&amps), amps);
    }

    #[test]
    fn voices() {
        assert_eq!(
            voice_spans("<v Jane Doe>Hello <b>all</b></v>"),
            vec![(Some("Jane Doe".into()), "Hello all".into())]
        );
        assert_eq!(
            voice_spans("<v.loud Bob>Hey<v Ann>yo"),
            vec![
                (Some("Bob".into()), "Hey".into()),
                (Some("Ann".into()), "yo".into())
            ]
        );
        assert_eq!(
            voice_spans("plain &amp; simple"),
            vec![(None, "plain & simple".into())]
        );
        assert_eq!(voice_spans("<v Bob"), vec![(None, "<v Bob".into())]);
        assert_eq!(voice_spans("<video>x"), vec![(None, "x".into())]);
    }
}
