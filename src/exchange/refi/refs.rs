//! Drops references to things the project does not contain, so the model is
//! consistent for storage. Each kind of drop is summarised in one note.

use std::collections::HashSet;

use super::model::{RefiCode, RefiProject, RefiVariableValue};

#[derive(Default)]
struct Tally {
    count: usize,
    example: Option<String>,
}

impl Tally {
    fn hit(&mut self, guid: &str) {
        self.count += 1;
        self.example.get_or_insert_with(|| guid.to_string());
    }

    fn report(&self, notes: &mut Vec<String>, what: &str) {
        if let Some(ex) = &self.example {
            notes.push(format!("dropped {} {what} (e.g. {ex})", self.count));
        }
    }
}

fn code_guids(codes: &[RefiCode], out: &mut HashSet<String>) {
    for c in codes {
        out.insert(c.guid.clone());
        code_guids(&c.children, out);
    }
}

fn keep_known(list: &mut Vec<String>, known: &HashSet<String>, tally: &mut Tally) {
    list.retain(|g| {
        let ok = known.contains(g);
        if !ok {
            tally.hit(g);
        }
        ok
    });
}

fn keep_values(list: &mut Vec<RefiVariableValue>, known: &HashSet<String>, tally: &mut Tally) {
    list.retain(|v| {
        let ok = known.contains(&v.variable_guid);
        if !ok {
            tally.hit(&v.variable_guid);
        }
        ok
    });
}

fn check_user(user: &mut Option<String>, known: &HashSet<String>, tally: &mut Tally) {
    if let Some(u) = user.as_deref()
        && !known.contains(u)
    {
        tally.hit(u);
        *user = None;
    }
}

pub(super) fn drop_dangling(p: &mut RefiProject, notes: &mut Vec<String>) {
    let mut codes = HashSet::new();
    code_guids(&p.codes, &mut codes);
    let set = |it: &mut dyn Iterator<Item = String>| it.collect::<HashSet<String>>();
    let note_ids = set(&mut p.notes.iter().map(|n| n.guid.clone()));
    let sources = set(&mut p.sources.iter().map(|s| s.guid.clone()));
    let vars = set(&mut p.variables.iter().map(|v| v.guid.clone()));
    let users = set(&mut p.users.iter().map(|u| u.guid.clone()));
    let (mut t_code, mut t_note, mut t_src, mut t_var, mut t_user): (
        Tally,
        Tally,
        Tally,
        Tally,
        Tally,
    ) = Default::default();

    keep_known(&mut p.project_note_refs, &note_ids, &mut t_note);
    check_user(&mut p.creating_user, &users, &mut t_user);
    for s in &mut p.sources {
        keep_known(&mut s.note_refs, &note_ids, &mut t_note);
        keep_values(&mut s.variable_values, &vars, &mut t_var);
        check_user(&mut s.creating_user, &users, &mut t_user);
        for sel in &mut s.selections {
            keep_known(&mut sel.note_refs, &note_ids, &mut t_note);
            check_user(&mut sel.creating_user, &users, &mut t_user);
            sel.codings.retain_mut(|c| {
                check_user(&mut c.creating_user, &users, &mut t_user);
                let ok = codes.contains(&c.code_guid);
                if !ok {
                    t_code.hit(&c.code_guid);
                }
                ok
            });
        }
    }
    for n in &mut p.notes {
        check_user(&mut n.creating_user, &users, &mut t_user);
    }
    for c in &mut p.cases {
        keep_values(&mut c.variable_values, &vars, &mut t_var);
        keep_known(&mut c.source_refs, &sources, &mut t_src);
    }
    for s in &mut p.sets {
        keep_known(&mut s.member_codes, &codes, &mut t_code);
        keep_known(&mut s.member_sources, &sources, &mut t_src);
    }
    t_code.report(
        notes,
        "coding(s) or set member(s) referring to unknown codes",
    );
    t_note.report(notes, "note reference(s) to unknown notes");
    t_src.report(notes, "reference(s) to unknown sources");
    t_var.report(notes, "variable value(s) of unknown variables");
    t_user.report(notes, "reference(s) to unknown users (left without a user)");
}
