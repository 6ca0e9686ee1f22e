//! A small fuzzy matcher for the code finder and the codebook filter: the query's characters
//! in order (case-insensitive), scored higher for matches at word starts and runs.

/// The match score of `query` (lowercase) in `candidate`, or None when it does not match.
pub fn score(query: &str, candidate: &str) -> Option<i64> {
    if query.is_empty() {
        return Some(0);
    }
    let cand: Vec<char> = candidate.chars().flat_map(char::to_lowercase).collect();
    let mut score = 0i64;
    let mut ci = 0usize;
    let mut prev_match: Option<usize> = None;
    for q in query.chars().filter(|c| !c.is_whitespace()) {
        let found = (ci..cand.len()).find(|&i| cand[i] == q)?;
        let at_word_start = found == 0 || matches!(cand[found - 1], ' ' | '/' | '-' | '_');
        score += 1;
        if at_word_start {
            score += 8;
        }
        if prev_match == Some(found.wrapping_sub(1)) {
            score += 5;
        }
        score -= (found - ci).min(10) as i64 / 3;
        prev_match = Some(found);
        ci = found + 1;
    }
    // Prefer shorter candidates, and matches in the last path part (the code's own name).
    score -= (cand.len() as i64) / 16;
    if let Some(slash) = candidate.rfind('/') {
        let tail = candidate[slash + 1..].to_lowercase();
        if !query.is_empty() && tail.contains(query) {
            score += 6;
        }
    } else if candidate.to_lowercase().contains(query) {
        score += 6;
    }
    Some(score)
}

/// Indices of the matching candidates, best first (ties keep the candidates' order).
pub fn rank<'a>(query: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let q = query.to_lowercase();
    let mut hits: Vec<(i64, usize)> = candidates
        .enumerate()
        .filter_map(|(i, c)| score(&q, c).map(|s| (s, i)))
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    hits.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsequence_matches_rank_word_starts_first() {
        let codes = [
            "Access/After hours",
            "Trust/Relationship",
            "Access/Response time",
        ];
        let r = rank("rt", codes.iter().copied());
        assert_eq!(r[0], 2, "{r:?}");
        assert_eq!(rank("trust", codes.iter().copied()), vec![1]);
        assert!(rank("zzz", codes.iter().copied()).is_empty());
        assert_eq!(rank("", codes.iter().copied()), vec![0, 1, 2]);
    }
}

#[cfg(test)]
mod demo_tests {
    use super::*;

    /// The README's example against the demo codebook's paths.
    #[test]
    fn resp_tim_finds_expected_response_time() {
        let codes = [
            "Normalization of secure messaging/Routine logistics",
            "Message quality affects perceptions of care/Timeliness of reply",
            "Message quality affects perceptions of care/Feeling dismissed",
            "Patients need guidance/What to message about",
            "Patients need guidance/Expected response time",
            "Patient-centred communication functions/Responding to emotions",
        ];
        let r = rank("resp tim", codes.iter().copied());
        assert_eq!(
            codes[r[0]], "Patients need guidance/Expected response time",
            "{r:?}"
        );
        let r = rank(
            "tone",
            [
                "Message quality affects perceptions of care/Tone and warmth",
                "Patients need guidance/Expected response time",
            ]
            .iter()
            .copied(),
        );
        assert_eq!(r[0], 0);
    }
}
