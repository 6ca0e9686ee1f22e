//! Search across the study from the transcript's `/`: every match in every document, in
//! document order; `n`/`N` step through them (opening the next document when the matches there
//! run out) and say "3 of 17"; the open document's matches are highlighted.
//!
//! Each document's text is read and scanned once per search: linear in the study.

use super::app::App;

pub struct StudySearch {
    pub query: String,
    /// (document id, start, end) of every match, in document order then position.
    pub hits: Vec<(i64, usize, usize)>,
    /// The match the cursor was last moved to.
    pub at: Option<usize>,
    /// Each document's place in study order (the order `hits` is sorted by).
    pub rank: std::collections::HashMap<i64, usize>,
}

impl StudySearch {
    /// The matches in document `doc`, as a slice of `hits`.
    pub fn in_document(&self, doc: i64) -> &[(i64, usize, usize)] {
        let rank = |d: i64| self.rank.get(&d).copied().unwrap_or(usize::MAX);
        let r = rank(doc);
        let lo = self.hits.partition_point(|h| rank(h.0) < r);
        let hi = self.hits.partition_point(|h| rank(h.0) <= r);
        &self.hits[lo..hi]
    }
}

/// Case-insensitive matches of `needle` (already lower case) in `text`, not overlapping.
pub fn find_all(text: &[char], needle: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if needle.is_empty() || needle.len() > text.len() {
        return out;
    }
    let lower = |c: char| c.to_lowercase().next().unwrap_or(c);
    let mut i = 0;
    while i + needle.len() <= text.len() {
        if lower(text[i]) == needle[0]
            && needle
                .iter()
                .enumerate()
                .all(|(k, n)| lower(text[i + k]) == *n)
        {
            out.push((i, i + needle.len()));
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

impl App {
    /// Searches every document for `query` and moves to the first match after the cursor.
    pub fn study_search(&mut self, query: &str) {
        let needle: Vec<char> = query
            .chars()
            .map(|c| c.to_lowercase().next().unwrap_or(c))
            .collect();
        let mut hits = Vec::new();
        let conn = self.store.study.conn();
        for d in &self.docs {
            // The open document's text is already in memory.
            let found = match &self.doc {
                Some(open) if open.id == d.id => find_all(&open.text, &needle),
                _ => match crate::study::documents::text(conn, d.id) {
                    Ok(t) => find_all(&t.chars().collect::<Vec<_>>(), &needle),
                    Err(e) => return self.set_message(format!("error: {e}")),
                },
            };
            hits.extend(found.into_iter().map(|(s, e)| (d.id, s, e)));
        }
        self.search = Some(query.to_string());
        self.study_hits = Some(StudySearch {
            query: query.to_string(),
            hits,
            at: None,
            rank: self
                .docs
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id, i))
                .collect(),
        });
        self.search_step(true);
    }

    /// Moves to the next (or previous) match across the study, wrapping at its ends.
    pub fn search_step(&mut self, forward: bool) {
        let Some(q) = self.search.clone() else {
            return self.set_message("no search yet: press /");
        };
        if self.study_hits.as_ref().is_none_or(|s| s.query != q) {
            return self.study_search(&q);
        }
        let Some(s) = &self.study_hits else { return };
        // The order the matches were found in (documents as listed at search time).
        let rank = |d: i64| s.rank.get(&d).copied().unwrap_or(usize::MAX);
        let here = (self.doc.as_ref().map_or(0, |d| rank(d.id)), self.cursor);
        let m = s.hits.len();
        if m == 0 {
            return self.set_message(format!("not found in any document: {q}"));
        }
        // The first match after (or before) the cursor, in study order.
        let after = s.hits.partition_point(|h| (rank(h.0), h.1) <= here);
        let before = s.hits.partition_point(|h| (rank(h.0), h.1) < here);
        let (i, wrapped) = if forward {
            if after < m { (after, false) } else { (0, true) }
        } else if before > 0 {
            (before - 1, false)
        } else {
            (m - 1, true)
        };
        let (doc, start, _) = s.hits[i];
        let docs_with: usize = {
            let mut ds: Vec<i64> = s.hits.iter().map(|h| h.0).collect();
            ds.dedup();
            ds.len()
        };
        if let Some(s) = &mut self.study_hits {
            s.at = Some(i);
        }
        let other_doc = self.doc.as_ref().map(|d| d.id) != Some(doc);
        self.jump_to(doc, start);
        if other_doc {
            self.center_on_cursor();
        }
        let name = self
            .doc
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default();
        self.message = Some(format!(
            "/{}: {} of {m} in {docs_with} document(s), this one in {name}{}",
            crate::text::sanitize(&q, false),
            i + 1,
            if wrapped { " (search wrapped)" } else { "" }
        ));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_every_match_ignoring_case() {
        let t: Vec<char> = "Days, days and DAYS; daysdays".chars().collect();
        let n: Vec<char> = "days".chars().collect();
        assert_eq!(
            super::find_all(&t, &n),
            vec![(0, 4), (6, 10), (15, 19), (21, 25), (25, 29)]
        );
        assert!(super::find_all(&t, &[]).is_empty());
    }
}
