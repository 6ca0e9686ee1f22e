//! Property: copies of one study, edited at random (codes added, renamed, defined, merged and
//! deleted; codings added and removed) and merged into each other in any order, end up with the
//! same codebook and the same codings once everyone has merged everyone — for two and for three
//! coders. Also: a merge never brings back what the merging side deleted, and merging the same
//! file twice changes nothing the second time.

mod merge_copies;

use merge_copies::*;
use proptest::prelude::*;
use std::collections::BTreeSet;
use thematic::Study;

fn rng_seed() -> proptest::test_runner::RngSeed {
    let n = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    proptest::test_runner::RngSeed::Fixed(n)
}

proptest! {
    // A fixed seed: the same 24 sequences every run (CI stays deterministic). Three-coder seeds
    // 1..=150 and two-coder seeds 1..=80 pass; `PROPTEST_RNG_SEED=N` explores others.
    #![proptest_config(ProptestConfig {
        cases: 24,
        rng_seed: rng_seed(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn two_coders_converge(ops in prop::collection::vec((0..2usize, op()), 1..25)) {
        run(2, &ops);
    }

    /// Three coders: every kind of edit, merged in any order (a code merged or deleted on one
    /// copy reaches the third through either of the others).
    #[test]
    fn three_coders_converge(ops in prop::collection::vec((0..3usize, op()), 1..30)) {
        run(3, &ops);
    }
}

/// One coder merges code A into B while the other deletes B: the deletion conflicts with the
/// incoming merge into B (ours kept, theirs recorded and reported), and both copies end the
/// same after merging back: A survives on both (its merge target is gone), B stays deleted.
#[test]
fn a_merge_into_a_code_the_other_side_deleted() {
    use Op::*;
    // The seed codebook, in codebook order: Trust (0), Access (1). Trust is merged into Access.
    for ops in [
        [(1, MergeCode(0, 1)), (0, DeleteCode(1))],
        [(0, MergeCode(0, 1)), (1, DeleteCode(1))],
    ] {
        let (_dir, copies) = run(2, &ops);
        let (codes, _) = state(&copies[0]);
        assert_eq!(
            codes,
            BTreeSet::from([("Trust".to_string(), String::new())]),
            "{ops:?}"
        );
    }
}

/// Found with `PROPTEST_RNG_SEED=2`: coder0 merges Trust into Access (then renames Access),
/// coder1 deletes Access; coder1's merge keeps Trust (the merge into a deleted code is not
/// applied) and coder0 gets Trust back from it. coder1 then codes with Trust while coder0 deletes
/// Trust: coder0 takes that coding to where its merge sent Trust, and coder1 follows that
/// decision when merging back, so the coding ends on one code on both copies.
#[test]
fn a_coding_on_a_code_merged_away_here_follows_the_merge_on_both_copies() {
    use Op::*;
    let (_dir, copies) = run(
        2,
        &[
            (0, MergeCode(2, 1)),
            (1, DeleteCode(1)),
            (1, Merge(0)),
            (0, Rename(0, 0)),
            (0, Merge(0)),
            (1, Code(0, 0)),
            (0, DeleteCode(6)),
        ],
    );
    let (_, codings) = state(&copies[0]);
    assert_eq!(
        codings,
        BTreeSet::from([("Trust coder0".to_string(), "coder1".to_string(), 0, 6)])
    );
    // With codings on both codes, made before the merge and the deletion: the copies converge.
    // (coder1's own coding on Access is dropped on both: coder0's deletion of Access drops the
    // codings made on it elsewhere, a known limit of the deletion rule, not decided here.)
    run(
        2,
        &[
            (0, Code(0, 1)),
            (1, Code(1, 2)),
            (1, MergeCode(0, 1)),
            (0, DeleteCode(1)),
        ],
    );
}

/// The lead undoes a merge and merges the same file again; the coder meanwhile deletes one of
/// their codings and then merges the lead's file: the deleted coding stays deleted.
#[test]
fn a_merge_undone_and_redone_by_the_lead_brings_back_no_coding_the_coder_deleted() {
    use Op::*;
    let dir = tempfile::tempdir().unwrap();
    let lead = seed(dir.path());
    let coder = dir.path().join("coder1.thematic");
    copy(&lead, &coder);
    {
        let mut s = Study::open(&coder).unwrap();
        edit_op(&mut s, "coder1", &Code(0, 0));
        edit_op(&mut s, "coder1", &Code(1, 5));
    }
    merge_into(&lead, &coder, "lead");
    {
        let mut s = Study::open(&lead).unwrap();
        let who = s.ensure_coder("lead").unwrap();
        s.undo(&who).unwrap();
    }
    merge_into(&lead, &coder, "lead");
    assert_eq!(state(&lead).1.len(), 2, "the lead has both codings again");
    {
        let mut s = Study::open(&coder).unwrap();
        edit_op(&mut s, "coder1", &Uncode(0));
    }
    let kept = state(&coder).1;
    assert_eq!(kept.len(), 1);
    merge_into(&coder, &lead, "coder1");
    assert_eq!(
        state(&coder).1,
        kept,
        "a coding the coder deleted came back"
    );
}
