//! Turning coders' span lists into partitions of the continuum for the uα family.

use super::unitized::Span;

/// Value index of unmarked stretches (gaps); category `k` is stored as `k + 1`.
pub(crate) const GAP: u32 = 0;

/// A stretch `[start, end)` of one coder's partition with its value index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seg {
    pub start: u64,
    pub end: u64,
    pub val: u32,
}

impl Seg {
    pub fn len(&self) -> u64 {
        self.end - self.start
    }
}

/// Checks shapes and ranges shared by every unitized coefficient.
pub(crate) fn validate(
    continuum_len: usize,
    n_coders: usize,
    spans: &[Vec<Span>],
    n_categories: u32,
) -> Result<(), String> {
    if n_coders < 2 {
        return Err("unitized alpha needs at least two coders".into());
    }
    if spans.len() != n_coders {
        return Err(format!(
            "invalid input: {} span lists for {n_coders} coders",
            spans.len()
        ));
    }
    if continuum_len == 0 {
        return Err("the continuum is empty".into());
    }
    for (i, list) in spans.iter().enumerate() {
        for s in list {
            if s.start > s.end || s.end > continuum_len {
                return Err(format!(
                    "invalid input: coder {i} has span [{}, {}) outside the continuum [0, {continuum_len})",
                    s.start, s.end
                ));
            }
            if s.category >= n_categories {
                return Err(format!(
                    "invalid input: coder {i} has category {} >= n_categories {n_categories}",
                    s.category
                ));
            }
        }
    }
    Ok(())
}

/// One coder's marked units after relabelling with `label` (`None` drops a span),
/// dropping empty spans and merging overlapping spans of the same label (touching
/// spans stay separate units). Sorted by start. `Err((a, b, pos))` if spans with
/// different labels `a`, `b` overlap at `pos`.
pub(crate) fn units(
    list: &[Span],
    label: impl Fn(u32) -> Option<u32>,
) -> Result<Vec<Seg>, (u32, u32, u64)> {
    let mut segs: Vec<Seg> = list
        .iter()
        .filter(|s| s.end > s.start)
        .filter_map(|s| {
            label(s.category).map(|val| Seg {
                start: s.start as u64,
                end: s.end as u64,
                val,
            })
        })
        .collect();
    segs.sort_unstable_by_key(|s| (s.val, s.start, s.end));
    let mut merged: Vec<Seg> = Vec::with_capacity(segs.len());
    for s in segs {
        match merged.last_mut() {
            Some(last) if last.val == s.val && s.start < last.end => {
                last.end = last.end.max(s.end);
            }
            _ => merged.push(s),
        }
    }
    merged.sort_unstable_by_key(|s| (s.start, s.end));
    for w in merged.windows(2) {
        if w[1].start < w[0].end {
            return Err((w[0].val, w[1].val, w[1].start));
        }
    }
    Ok(merged)
}

/// Fills the gaps between sorted, non-overlapping units so the result covers
/// `[0, len)` exactly.
pub(crate) fn partition(len: u64, units: &[Seg]) -> Vec<Seg> {
    let mut out = Vec::with_capacity(2 * units.len() + 1);
    let mut cursor = 0;
    for u in units {
        if u.start > cursor {
            out.push(Seg {
                start: cursor,
                end: u.start,
                val: GAP,
            });
        }
        out.push(*u);
        cursor = u.end;
    }
    if cursor < len {
        out.push(Seg {
            start: cursor,
            end: len,
            val: GAP,
        });
    }
    out
}

/// Partitions for all coders, or the reason they cannot be built.
pub(crate) fn partitions(
    continuum_len: usize,
    spans: &[Vec<Span>],
    label: impl Fn(u32) -> Option<u32> + Copy,
) -> Result<Vec<Vec<Seg>>, String> {
    spans
        .iter()
        .enumerate()
        .map(|(i, list)| {
            units(list, label)
                .map(|u| partition(continuum_len as u64, &u))
                .map_err(|(a, b, pos)| {
                    format!(
                        "coder {i} has overlapping spans of categories {} and {} at position {pos}; \
                         uα/cuα need each coder's categories to be mutually exclusive \
                         (binary_u_alpha and union_u_alpha accept overlaps)",
                        a - 1,
                        b - 1
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: usize, end: usize, category: u32) -> Span {
        Span {
            start,
            end,
            category,
        }
    }

    #[test]
    fn merge_overlaps_keep_touching() {
        let list = [sp(0, 4, 0), sp(2, 6, 0), sp(6, 8, 0), sp(9, 9, 1)];
        let u = units(&list, |c| Some(c + 1)).unwrap();
        assert_eq!(
            u,
            vec![
                Seg {
                    start: 0,
                    end: 6,
                    val: 1
                },
                Seg {
                    start: 6,
                    end: 8,
                    val: 1
                },
            ]
        );
        let p = partition(10, &u);
        assert_eq!(p.len(), 3);
        assert_eq!(
            p[2],
            Seg {
                start: 8,
                end: 10,
                val: GAP
            }
        );
    }

    #[test]
    fn cross_category_overlap_detected() {
        let list = [sp(0, 4, 0), sp(3, 6, 1)];
        assert!(units(&list, |c| Some(c + 1)).is_err());
        // Relabelled to one value they merge.
        assert_eq!(units(&list, |_| Some(1)).unwrap().len(), 1);
    }
}
