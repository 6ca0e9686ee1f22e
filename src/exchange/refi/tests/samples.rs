//! Every sample imports. Expected counts were taken independently of this
//! code with a Python ElementTree script counting elements by local name over
//! each `.qde`/`.qdc` (`unzip -p FILE project.qde`), cross-checked with
//! `grep -o '<PlainTextSelection' | wc -l` and `grep -o '<Coding ' | wc -l`:
//!
//! | file                          | User | Code (all levels) | TextSource | PlainTextSelection | Coding | Note |
//! |-------------------------------|------|-------------------|------------|--------------------|--------|------|
//! | blank-atlas-project.qdpx      | 2    | 0                 | 0          | 0                  | 0      | 0    |
//! | target-atlas-project.qdpx     | 2    | 3 (1 top-level)   | 0          | 0                  | 0      | 0    |
//! | nvivo_mac15_project.qdpx      | 2    | 262 (3 top-level) | 2          | 0                  | 0      | 0    |
//! | qc_1.3.2_demo.qdpx            | 1    | 262 (3 top-level) | 2          | 158 (none empty)   | 205    | 0    |
//! | atlasti_win23.4_...qdc        | -    | 1                 | -          | -                  | -      | -    |
//! | taguette_codebook_...qdc      | -    | 3                 | -          | -                  | -      | -    |
//!
//! The qc selection "line:814" is 50006..50084 of board_2017.txt (LF only,
//! 52543 code points), checked with Python slicing.

use super::super::{Limits, RefiProject, count_codes, read_qdc, read_qdpx};
use super::samples;

struct Counts {
    users: usize,
    codes: usize,
    top_codes: usize,
    sources: usize,
    selections: usize,
    codings: usize,
    notes: usize,
}

fn counts(p: &RefiProject) -> Counts {
    let sels = p.sources.iter().flat_map(|s| &s.selections);
    Counts {
        users: p.users.len(),
        codes: count_codes(&p.codes),
        top_codes: p.codes.len(),
        sources: p.sources.len(),
        selections: sels.clone().count(),
        codings: sels.map(|s| s.codings.len()).sum(),
        notes: p.notes.len(),
    }
}

fn load(name: &str) -> Option<(RefiProject, super::super::Adjustments)> {
    let dir = samples(name)?;
    Some(
        read_qdpx(&dir.join(name), &Limits::default())
            .unwrap_or_else(|e| panic!("{name} failed to import: {e}")),
    )
}

/// The sample's counts checked; `None` (skipped, said) without the shared samples.
fn check(name: &str, want: [usize; 7]) -> Option<(RefiProject, super::super::Adjustments)> {
    let (p, adj) = load(name)?;
    let c = counts(&p);
    let got = [
        c.users,
        c.codes,
        c.top_codes,
        c.sources,
        c.selections,
        c.codings,
        c.notes,
    ];
    assert_eq!(
        got, want,
        "{name}: [users, codes, top codes, sources, selections, codings, notes]; adjustments: {adj:?}"
    );
    Some((p, adj))
}

#[test]
fn blank_atlas_project() {
    let Some((p, adj)) = check("blank-atlas-project.qdpx", [2, 0, 0, 0, 0, 0, 0]) else {
        return;
    };
    assert_eq!(p.name, "blank-atlas-project");
    assert_eq!(p.users[0].name, "Enric Llagostera");
    assert_eq!(
        p.creating_user.as_deref(),
        Some("088B08AC-D5CD-4ADB-8B71-B4F3459C177F")
    );
    assert!(adj.is_empty(), "{adj:?}");
}

#[test]
fn target_atlas_project() {
    let Some((p, _)) = check("target-atlas-project.qdpx", [2, 3, 1, 0, 0, 0, 0]) else {
        return;
    };
    assert_eq!(p.codes[0].name, "Commits");
    assert_eq!(p.codes[0].children.len(), 2);
}

#[test]
fn nvivo_mac15_project() {
    let Some((p, adj)) = check("nvivo_mac15_project.qdpx", [2, 262, 3, 2, 0, 0, 0]) else {
        return;
    };
    // Both .txt files are a lone "\n"; the .docx bodies hold one empty paragraph.
    assert!(p.sources.iter().all(|s| s.text.is_empty()));
    assert!(
        adj.mentions("plain text file is empty; used the text of sources/"),
        "{adj:?}"
    );
    assert!(adj.mentions("upper-cased"), "{adj:?}");
    assert_eq!(p.sources[0].guid, "D097E6FD-7671-4D95-A8B6-7795FA4A72E1");
}

#[test]
fn qc_demo_project() {
    let Some((p, adj)) = check("qc_1.3.2_demo.qdpx", [1, 262, 3, 2, 158, 205, 0]) else {
        return;
    };
    assert!(adj.mentions("has no internal:// scheme"), "{adj:?}");
    let board = &p.sources[0];
    assert_eq!(board.text.chars().count(), 52543);
    let sel = board
        .selections
        .iter()
        .find(|s| s.name.as_deref() == Some("line:814"))
        .expect("line:814");
    let text: String = board
        .text
        .chars()
        .skip(sel.start)
        .take(sel.end - sel.start)
        .collect();
    assert_eq!(
        text,
        "science principles that is intended for people who don't wanna do a hardcore \n"
    );
    // The second source has no name attribute: named after its file.
    assert_eq!(p.sources[1].name, "admin-1");
    assert_eq!(p.sources[1].text.chars().count(), 31906);
}

#[test]
fn atlas_codebook() {
    let Some(dir) = samples("atlas_codebook") else {
        return;
    };
    let bytes = std::fs::read(dir.join("atlasti_win23.4_codebook_from_requal_test.qdc")).unwrap();
    let (codes, adj) = read_qdc("atlas.qdc", &bytes).expect("imports");
    assert_eq!(count_codes(&codes), 1);
    assert_eq!(codes[0].name, "code1");
    assert_eq!(codes[0].color.as_deref(), Some("#46AA00"));
    assert_eq!(codes[0].description.as_deref(), Some("description"));
    assert!(adj.mentions("1 code set(s)"), "{adj:?}");
}

#[test]
fn taguette_codebook() {
    let Some(dir) = samples("taguette_codebook") else {
        return;
    };
    let bytes = std::fs::read(dir.join("taguette_codebook_from_tests.qdc")).unwrap();
    let (codes, adj) = read_qdc("taguette.qdc", &bytes).expect("imports");
    assert_eq!(count_codes(&codes), 3);
    assert_eq!(codes[2].name, "interesting\\places");
    assert!(adj.mentions("empty <Sets/>"), "{adj:?}");
}
