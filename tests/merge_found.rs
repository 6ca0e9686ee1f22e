//! Sequences the merge property tests once found failing (`PROPTEST_RNG_SEED=N cargo test
//! --test merge_convergence`), each fixed and kept here with what it showed. See
//! `merge_convergence.rs` for the property.

mod merge_copies;

use merge_copies::*;

#[test]
fn found_by_proptest() {
    use Op::*;
    // Two copies merge one code into a code the third deletes; the merge reaches the third
    // twice, once through a copy where it left no rows (the code was gone there): the third
    // keeps the code against both merges, and the others take it back.
    run(
        3,
        &[
            (1, DeleteCode(5)),
            (2, DeleteCode(6)),
            (1, AddCode(0)),
            (0, Rename(0, 0)),
            (0, Merge(2)),
            (0, MergeCode(5, 2)),
            (0, DeleteCode(0)),
            (1, MergeCode(1, 2)),
        ],
    );
    // A code merged into another on one copy, that target deleted on the other, which then
    // codes with the merged code: the merge's target is gone, so is the coding's code.
    run(
        2,
        &[(0, MergeCode(6, 1)), (1, DeleteCode(5)), (1, Code(0, 0))],
    );
    // One copy keeps a code another deleted (it had a coding on it); a third merges that code
    // away meanwhile: the decision to keep it does not bring it back where it was merged away.
    run(
        3,
        &[
            (0, Code(1, 0)),
            (0, Merge(0)),
            (0, DeleteCode(2)),
            (2, DeleteCode(1)),
            (0, AddCode(0)),
            (1, Merge(1)),
            (1, MergeCode(6, 1)),
            (0, Merge(1)),
        ],
    );
    // Three copies settle one rename conflict differently (two merges, each keeping its own
    // side): the later decision prevails on every copy.
    run(
        3,
        &[
            (2, Rename(2, 0)),
            (1, Merge(0)),
            (0, Rename(6, 0)),
            (2, Merge(0)),
        ],
    );
    // Both copies merge Access, each into another code.
    run(
        2,
        &[
            (0, AddCode(0)),
            (0, MergeCode(3, 3)),
            (0, Code(1, 0)),
            (1, AddCode(0)),
            (1, Merge(0)),
            (0, MergeCode(7, 0)),
            (1, MergeCode(1, 2)),
        ],
    );
    // A merge into a code deleted on the other copy (not applied there), then that target
    // merged on: the coding stays where the deleting copy kept it.
    run(
        2,
        &[
            (0, Code(0, 0)),
            (1, Code(1, 0)),
            (0, AddCode(0)),
            (0, AddCode(1)),
            (1, MergeCode(1, 2)),
            (1, AddCode(0)),
            (0, DeleteCode(4)),
            (0, Merge(0)),
            (0, MergeCode(1, 1)),
            (1, MergeCode(2, 3)),
        ],
    );
    run(
        3,
        &[
            (1, AddCode(2)),
            (2, DeleteCode(0)),
            (1, Code(3, 0)),
            (1, Merge(0)),
            (1, DeleteCode(4)),
            (0, AddCode(0)),
        ],
    );
    run(
        2,
        &[(0, DeleteCode(1)), (0, Rename(0, 1)), (1, Define(5, 0))],
    );
    // Found with three coders, PROPTEST_RNG_SEED=2: one copy deletes a code another renamed
    // and merged a code into; the deleting copy keeps it deleted (and the merged code, whose
    // target is gone), the renaming copy keeps it; a copy that sees the merge carrying the
    // deletion rejected still takes that merge's other decisions, and the later decision on
    // the code prevails on every copy, also over an earlier one applied already.
    run(
        3,
        &[
            (2, Rename(0, 0)),
            (0, MergeCode(1, 6)),
            (0, Define(0, 0)),
            (0, MergeCode(0, 0)),
            (0, Code(0, 1)),
            (2, Rename(0, 4)),
            (1, DeleteCode(0)),
            (2, Merge(2)),
            (1, Merge(2)),
            (0, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=5: a deletion against a definition made on another copy, met by the
    // third copy in both orders.
    run(
        3,
        &[
            (0, AddCode(0)),
            (1, DeleteCode(1)),
            (0, Define(4, 0)),
            (2, Merge(2)),
            (1, Merge(0)),
            (2, Merge(1)),
            (0, Code(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=9: two copies delete one code, a third renames it.
    run(
        3,
        &[
            (1, Code(1, 0)),
            (2, Rename(1, 0)),
            (0, DeleteCode(1)),
            (1, DeleteCode(1)),
            (2, Merge(1)),
            (2, Uncode(0)),
        ],
    );
    // PROPTEST_RNG_SEED=10: a deletion against a rename and a definition on two other copies.
    run(
        3,
        &[
            (1, AddCode(0)),
            (1, AddCode(1)),
            (1, DeleteCode(5)),
            (2, Rename(1, 0)),
            (1, Merge(2)),
            (0, Define(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=11: one copy merges Trust into Access, then defines and renames Access
    // to Trust's name; another deletes Access. The decision to keep Access reaches the deleting
    // copy while Trust (whose merge it has not applied yet) holds that name: Access comes back
    // under a provisional name, the merge of Trust follows, and Access takes its name back.
    run(
        3,
        &[
            (0, Code(0, 0)),
            (0, Rename(6, 2)),
            (0, MergeCode(0, 0)),
            (0, MergeCode(2, 1)),
            (0, Define(0, 0)),
            (0, Rename(0, 2)),
            (1, DeleteCode(1)),
        ],
    );
    // PROPTEST_RNG_SEED=21 (after the fixes above): a copy in between that deleted the code
    // could not apply the rename another copy made of it; the decision to keep the code
    // carries the renamed code, and a copy that never deleted it takes the name from there.
    run(
        3,
        &[
            (0, DeleteCode(2)),
            (2, Rename(2, 0)),
            (0, AddCode(0)),
            (2, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=9 (after the fixes above): a decision to keep a renamed code, then a
    // later one to delete it (made where it was deleted, without knowing the first); a coding
    // made on the code meanwhile goes with it (listed), so the code can go.
    run(
        3,
        &[
            (1, Rename(0, 0)),
            (2, DeleteCode(2)),
            (0, Merge(0)),
            (1, Merge(0)),
            (2, Merge(2)),
            (0, Code(6, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=10 (after the fixes above).
    run(
        3,
        &[
            (1, AddCode(0)),
            (1, AddCode(1)),
            (1, DeleteCode(5)),
            (2, Rename(1, 0)),
            (2, Merge(1)),
            (1, Merge(2)),
        ],
    );
    // PROPTEST_RNG_SEED=23: a coding kept by a decision (its deletion was not applied where the
    // code had been renamed) comes back where its code was merged away meanwhile: on the code
    // the merge sent it to.
    run(
        3,
        &[
            (1, Code(0, 0)),
            (0, Rename(1, 0)),
            (2, MergeCode(2, 1)),
            (1, Merge(0)),
            (1, DeleteCode(0)),
            (2, AddCode(0)),
            (2, MergeCode(6, 5)),
            (2, Merge(1)),
        ],
    );
    // Found while fixing the above (PROPTEST_RNG_SEED=4): the decision to keep a code, made
    // where it was defined, does not take back the rename a third copy made of it meanwhile.
    run(
        3,
        &[
            (2, Rename(0, 0)),
            (0, Define(0, 0)),
            (1, DeleteCode(2)),
            (0, AddCode(0)),
        ],
    );
    // Likewise (PROPTEST_RNG_SEED=15 and 9): one copy deletes a code, another defines it, a
    // third renames it; each decision to keep it carries only what its maker knew.
    run(
        3,
        &[
            (1, DeleteCode(0)),
            (1, DeleteCode(0)),
            (0, Define(5, 0)),
            (2, Rename(5, 0)),
        ],
    );
    run(
        3,
        &[
            (1, AddCode(0)),
            (2, Merge(1)),
            (0, Rename(0, 0)),
            (2, Rename(2, 0)),
            (0, Merge(0)),
            (0, Define(2, 0)),
            (1, DeleteCode(2)),
        ],
    );
    // PROPTEST_RNG_SEED=21: a code merged into a code deleted there; the copy that deleted the
    // target keeps the merged code, the copy that had renamed it took the merge: when the
    // decision brings it back there, the rename made there applies again on top.
    run(
        3,
        &[
            (0, Code(0, 0)),
            (1, MergeCode(2, 1)),
            (1, DeleteCode(0)),
            (2, DeleteCode(1)),
            (2, Merge(1)),
            (0, Rename(0, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=22: coder0 defines a code twice; two merges each keep coder0's side
    // against coder2's definition, one knowing only the first: the later decision prevails,
    // also over coder0's second edit, which it did not weigh, on every copy.
    run(
        3,
        &[
            (2, AddCode(1)),
            (0, Define(1, 1)),
            (1, Merge(1)),
            (0, Define(1, 0)),
            (2, AddCode(0)),
            (2, Define(5, 0)),
            (0, Merge(1)),
            (1, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=22 (after the fix above): the deleting copy could not apply a rename of
    // the code; when a decision brings the code back there, the rename (as the merged file
    // holds it) applies again on top of the image.
    run(
        3,
        &[
            (2, DeleteCode(1)),
            (0, Define(1, 1)),
            (1, Merge(1)),
            (0, Rename(5, 0)),
            (1, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=22 (third round): a copy that kept a code against a deletion before it
    // knew of a rename of it: its image (old name) does not take back the rename on the copy
    // that deleted the code (an image's value counts only when its edit is later).
    run(
        3,
        &[
            (2, DeleteCode(1)),
            (0, Define(1, 1)),
            (1, Merge(1)),
            (0, Rename(5, 0)),
            (0, Merge(1)),
            (1, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=27.
    run(
        3,
        &[
            (1, Rename(5, 3)),
            (0, Define(0, 0)),
            (0, DeleteCode(1)),
            (2, Define(1, 0)),
            (2, Merge(2)),
            (1, DeleteCode(1)),
            (0, AddCode(0)),
            (0, Merge(1)),
        ],
    );
    // PROPTEST_RNG_SEED=29: a decision to keep a code (against a deletion) reaches the copy that
    // merged the code away through a third copy, whose own rows put the code back: those rows are
    // what the decision did there, and the decision does not bring the code back over a merge it
    // did not weigh.
    run(
        3,
        &[
            (2, Rename(2, 0)),
            (1, MergeCode(2, 1)),
            (0, DeleteCode(2)),
            (2, Merge(0)),
            (0, Merge(1)),
        ],
    );
    // PROPTEST_RNG_SEED=21 (third round): a decision keeps a code against a merge of it into a
    // code deleted there; where that merge was applied and moved a coding, the coding goes back
    // to the code kept, as it stayed on it where the decision was made.
    run(
        3,
        &[
            (0, Code(0, 0)),
            (1, MergeCode(2, 1)),
            (1, DeleteCode(0)),
            (2, DeleteCode(1)),
            (2, Merge(1)),
            (0, Rename(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=8: a copy kept a code another deleted (it had renamed it) and renamed
    // it again; the deleting copy brought it back from that decision with the second rename on
    // top: the rename itself is still relayed from there as its own change (a copy in between
    // that had the code got it only that way).
    run(
        3,
        &[
            (0, Rename(0, 0)),
            (0, DeleteCode(1)),
            (1, Rename(1, 0)),
            (1, Merge(1)),
            (2, Merge(1)),
            (1, Rename(5, 1)),
        ],
    );
    // PROPTEST_RNG_SEED=44: a decision between two definitions, made after a third copy's own
    // definition (which it did not weigh): it prevails there too, as it does where it was made.
    run(
        3,
        &[
            (0, Define(1, 0)),
            (2, Merge(0)),
            (1, Define(1, 0)),
            (2, Define(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=21 (fourth round): two decisions keep one coding, on the code merged
    // away and on the merge target: the later one says where it stays, on every copy.
    run(
        3,
        &[
            (1, Code(0, 0)),
            (1, MergeCode(2, 1)),
            (1, DeleteCode(0)),
            (2, DeleteCode(1)),
            (2, Merge(1)),
            (0, Rename(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=27 (second round): a copy renames a code, deletes it and makes a new
    // code under that name; another copy keeps the old code (it had defined it): two different
    // codes of one name, both kept on every copy, the one with the greater GUID with a suffix.
    run(
        3,
        &[
            (1, Rename(5, 3)),
            (0, Define(0, 0)),
            (0, DeleteCode(1)),
            (2, Define(1, 0)),
            (2, Merge(2)),
            (1, DeleteCode(1)),
            (1, AddCode(3)),
            (0, Merge(1)),
        ],
    );
    // PROPTEST_RNG_SEED=67: a copy renamed and deleted a code another renamed its own way and
    // kept; a third copy meets the deletion first, then the decision: the decision's name (written
    // when it brought the code back, later than the first rename) prevails.
    run(
        3,
        &[
            (0, Rename(2, 0)),
            (0, DeleteCode(2)),
            (1, Rename(2, 0)),
            (1, Merge(1)),
        ],
    );
    // PROPTEST_RNG_SEED=75: two copies merge Trust into Access, the third deletes Access and keeps
    // Trust against one of the merges: the other merge, alike, is set aside too.
    run(
        3,
        &[
            (0, MergeCode(2, 1)),
            (2, MergeCode(0, 5)),
            (1, DeleteCode(1)),
            (1, Merge(0)),
        ],
    );
    // PROPTEST_RNG_SEED=12 and 80 (with the fixes above): a copy that had merged a code away could
    // not apply another copy's later deletion (or rename) of it; the third copy learns that
    // change from it all the same (`relayed_rows`), and the code does not come back there.
    run(
        3,
        &[
            (0, MergeCode(1, 0)),
            (2, MergeCode(1, 2)),
            (1, DeleteCode(0)),
            (1, Merge(2)),
            (1, DeleteCode(0)),
        ],
    );
    run(
        3,
        &[
            (2, DeleteCode(0)),
            (2, Code(0, 0)),
            (1, DeleteCode(0)),
            (2, Rename(0, 0)),
            (2, DeleteCode(0)),
            (0, MergeCode(1, 0)),
        ],
    );
    // PROPTEST_RNG_SEED=63 (some runs: copies' changes within one millisecond order by uid): a
    // name clash met on one copy only; the suffix travels as a decision on the name.
    run(
        3,
        &[
            (0, AddCode(2)),
            (1, Rename(3, 2)),
            (2, MergeCode(3, 7)),
            (0, Code(1, 14)),
            (0, Rename(5, 3)),
            (1, Code(2, 18)),
            (1, Uncode(29)),
            (2, Merge(2)),
            (2, Uncode(33)),
            (2, Define(2, 1)),
            (2, DeleteCode(7)),
            (0, Define(7, 2)),
            (0, DeleteCode(0)),
            (0, DeleteCode(3)),
            (1, Merge(1)),
            (0, Rename(7, 2)),
            (0, Uncode(15)),
            (2, Code(0, 39)),
            (1, DeleteCode(3)),
            (0, Merge(0)),
            (0, Rename(7, 2)),
            (0, AddCode(3)),
            (1, Code(0, 24)),
        ],
    );
    // Likewise PROPTEST_RNG_SEED=54.
    run(
        3,
        &[
            (0, Rename(7, 3)),
            (0, Rename(4, 1)),
            (0, Uncode(36)),
            (1, Code(4, 24)),
            (0, AddCode(1)),
            (1, Code(7, 8)),
            (0, DeleteCode(0)),
            (2, Uncode(31)),
            (2, Merge(0)),
            (1, Define(2, 2)),
            (2, AddCode(4)),
            (2, Rename(0, 4)),
            (2, DeleteCode(3)),
            (2, Merge(2)),
            (0, AddCode(1)),
            (2, Uncode(16)),
        ],
    );
    // PROPTEST_RNG_SEED=120: a coding made on one copy and deleted on another; the copy in between
    // could not apply its making (its code was merged into one deleted there) nor so its
    // deletion, and then got the coding from the first copy: the deletion, kept, prevails.
    run(
        3,
        &[
            (1, AddCode(0)),
            (1, MergeCode(3, 7)),
            (2, Code(0, 0)),
            (1, Merge(0)),
            (0, DeleteCode(1)),
            (1, Uncode(0)),
            (0, MergeCode(0, 0)),
        ],
    );
    run(
        2,
        &[
            (0, AddCode(2)),
            (1, DeleteCode(5)),
            (0, Code(3, 0)),
            (0, Merge(0)),
            (0, AddCode(1)),
            (0, AddCode(3)),
            (1, Rename(0, 1)),
            (0, DeleteCode(4)),
        ],
    );
    run(
        2,
        &[
            (0, AddCode(2)),
            (1, Merge(0)),
            (1, DeleteCode(0)),
            (1, Code(2, 0)),
            (0, Merge(0)),
            (1, MergeCode(2, 1)),
            (0, AddCode(3)),
            (0, Define(3, 0)),
        ],
    );
    run(
        2,
        &[
            (0, MergeCode(0, 0)),
            (0, AddCode(0)),
            (0, Code(2, 0)),
            (0, Code(6, 1)),
            (0, Uncode(22)),
            (1, DeleteCode(0)),
        ],
    );
}
