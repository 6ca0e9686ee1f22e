//! The workbench's only door to storage: effects (one user action each) applied to the study
//! file as one recorded transaction, so every action is saved at once and can be undone.

use super::describe;
use crate::Result;
use crate::codebook::{self, CodeFields};
use crate::memo::Target;
use crate::study::{Coder, Study};

/// A write the state machine asks for; `Store::apply` performs it.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Code [start, end) with an existing code or with a new code at `path`.
    Code {
        doc: i64,
        start: usize,
        end: usize,
        code: CodeRef,
    },
    DeleteCoding(i64),
    Resize {
        id: i64,
        start: usize,
        end: usize,
    },
    SaveMemo {
        target: Target,
        memo_id: Option<i64>,
        title: String,
        body: String,
    },
    SaveCode {
        id: i64,
        path: String,
        name: Option<String>,
        fields: CodeFields,
    },
    NewCode(String),
    MoveCode {
        path: String,
        parent: Option<String>,
    },
    MergeCode {
        from: String,
        into: String,
    },
    DeleteCode {
        path: String,
    },
    /// A reviewer's decision on a disagreement, written under the consensus coder.
    Resolve {
        doc: i64,
        code: i64,
        start: i64,
        end: i64,
        decision: crate::agreement::review::Decision,
        /// The compared coders (whose agreed units the consensus carries) and the unit kind.
        coders: Vec<String>,
        unit: crate::agreement::units::UnitKind,
    },
    /// Mark a document done (or not done) by the acting coder.
    Done {
        doc: i64,
        undo: bool,
    },
    /// Code every hit of a full-text search with `code` (created when new): one action.
    Autocode {
        query: String,
        code: String,
        /// Whole turns holding a hit, not just the matched words.
        turn: bool,
    },
    /// Snapshot the codebook as a named version.
    Snapshot(String),
    /// Put a code on digit key `slot` (1–9), or clear the key.
    Pin {
        slot: u8,
        code: Option<i64>,
    },
    Undo,
    Redo,
}

impl Effect {
    /// The effect's name, for the log (which never gets transcript text, memos or code names).
    pub fn kind(&self) -> &'static str {
        match self {
            Effect::Code { .. } => "code",
            Effect::DeleteCoding(_) => "uncode",
            Effect::Resize { .. } => "resize",
            Effect::SaveMemo { .. } => "memo",
            Effect::SaveCode { .. } => "code.edit",
            Effect::NewCode(_) => "code.add",
            Effect::MoveCode { .. } => "code.move",
            Effect::MergeCode { .. } => "code.merge",
            Effect::DeleteCode { .. } => "code.delete",
            Effect::Resolve { .. } => "review",
            Effect::Done { .. } => "done",
            Effect::Autocode { .. } => "autocode",
            Effect::Snapshot(_) => "version",
            Effect::Pin { .. } => "pin",
            Effect::Undo => "undo",
            Effect::Redo => "redo",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CodeRef {
    Id(i64),
    New(String),
}

/// What an applied effect reports back: a message, and the code it coded with, if any.
#[derive(Debug, Default)]
pub struct Outcome {
    pub message: String,
    pub coded_with: Option<i64>,
}

/// "1 coding", "3 codings".
fn codings(n: usize) -> String {
    if n == 1 {
        "1 coding".into()
    } else {
        format!("{n} codings")
    }
}

pub struct Store {
    pub study: Study,
}

impl Store {
    pub fn new(study: Study) -> Store {
        Store { study }
    }

    /// Blind coding: others' codings start hidden when more than one independent coder coded.
    pub fn blind_by_default(&self) -> Result<bool> {
        Ok(crate::coding::view::independent_coders_with_codings(self.study.conn())? > 1)
    }

    pub fn recent_codes(&self, coder: i64, n: usize) -> Result<Vec<i64>> {
        crate::coding::view::recent_codes(self.study.conn(), coder, n)
    }

    pub fn memo_for(&self, target: Target, coder: &Coder) -> Result<Option<crate::memo::Memo>> {
        Ok(crate::memo::list(self.study.conn(), Some(target))?
            .into_iter()
            .find(|m| m.coder == coder.name))
    }

    pub fn apply(&mut self, coder: &Coder, effect: Effect) -> Result<Outcome> {
        let me = Some(coder.id);
        let s = &mut self.study;
        let mut out = Outcome::default();
        match effect {
            Effect::Code {
                doc,
                start,
                end,
                code,
            } => {
                let path = match &code {
                    CodeRef::Id(id) => describe::code_path(s.conn(), *id)?,
                    CodeRef::New(path) => crate::text::sanitize(path, false),
                };
                let place = describe::place(s.conn(), doc, start, end)?;
                let summary = format!("code '{path}' on {place}");
                let (code_id, created) = s.change(me, "code", &summary, |rec| {
                    let (id, created) = match &code {
                        CodeRef::Id(id) => (*id, false),
                        CodeRef::New(path) => codebook::edit::ensure_path(rec, path)?,
                    };
                    crate::coding::add(rec, doc, id, coder.id, start as i64, end as i64)?;
                    Ok((id, created))
                })?;
                out.coded_with = Some(code_id);
                out.message = if created {
                    format!("created the code '{path}' and coded {place} with it")
                } else {
                    format!("coded '{path}' on {place}")
                };
            }
            Effect::DeleteCoding(id) => {
                let what = describe::coding(s.conn(), id)?;
                s.change(me, "uncode", &format!("uncode {what}"), |rec| {
                    crate::coding::delete_coding(rec, id)
                })?;
                out.message = format!("uncoded {what}");
            }
            Effect::Resize { id, start, end } => {
                let before = describe::coding(s.conn(), id)?;
                s.change(me, "resize", &format!("resize {before}"), |rec| {
                    crate::coding::resize(rec, id, start as i64, end as i64)
                })?;
                out.message = format!("now {}", describe::coding(s.conn(), id)?);
            }
            Effect::SaveMemo {
                target,
                memo_id,
                title,
                body,
            } => {
                let on = describe::target(s.conn(), target)?;
                s.change(me, "memo", &format!("memo on {on}"), |rec| match memo_id {
                    Some(id) => crate::memo::update(rec, id, &body).map(|_| ()),
                    None => crate::memo::add(rec, target, coder.id, &title, &body).map(|_| ()),
                })?;
                out.message = "memo saved".into();
            }
            Effect::SaveCode {
                id,
                path,
                name,
                fields,
            } => {
                s.change(me, "code.edit", &format!("edit code {path}"), |rec| {
                    if let Some(n) = &name {
                        codebook::edit::rename(rec, &path, n)?;
                    }
                    codebook::edit::describe_id(rec, id, &fields)
                })?;
                out.message = "code saved".into();
            }
            Effect::NewCode(path) => {
                s.change(me, "code.add", &format!("add code {path}"), |rec| {
                    codebook::edit::add(rec, &path, &CodeFields::default())
                })?;
                out.message = format!("added {path}");
            }
            Effect::MoveCode { path, parent } => {
                let to = parent.clone().unwrap_or_else(|| "the top level".into());
                s.change(me, "code.move", &format!("move {path} under {to}"), |rec| {
                    codebook::edit::move_to(rec, &path, parent.as_deref())
                })?;
                out.message = format!("moved {path} under {to}");
            }
            Effect::MergeCode { from, into } => {
                let n = s.change(
                    me,
                    "code.merge",
                    &format!("merge {from} into {into}"),
                    |rec| codebook::edit::merge(rec, &from, &into),
                )?;
                out.message = format!("merged '{from}' into '{into}' ({})", codings(n as usize));
            }
            Effect::DeleteCode { path } => {
                let n = s.change(me, "code.delete", &format!("delete code {path}"), |rec| {
                    codebook::edit::delete(rec, &path, true)
                })?;
                out.message = format!("deleted '{path}' and {} (u undoes)", codings(n as usize));
            }
            Effect::Resolve {
                doc,
                code,
                start,
                end,
                decision,
                coders,
                unit: kind,
            } => {
                use crate::agreement::review::{self, Decision};
                let what = match &decision {
                    Decision::Accept(name) => format!("accept {name}"),
                    Decision::Both => "both".into(),
                    Decision::Neither => "neither".into(),
                };
                let unit = crate::agreement::units::Unit { doc: 0, start, end };
                let on = format!(
                    "'{}' on {}",
                    describe::code_path(s.conn(), code)?,
                    describe::place(s.conn(), doc, start as usize, end as usize)?
                );
                // The agreed units are carried into consensus in the same action (issue 11).
                let cmp = crate::agreement::units::Comparison::load(
                    s.conn(),
                    &crate::agreement::units::Selection {
                        coders: &coders,
                        documents: &[],
                    },
                )
                .ok();
                let (n, carried) =
                    s.change(me, "review", &format!("resolve {on}: {what}"), |rec| {
                        let n = review::resolve(rec, coder.id, doc, code, unit, &decision)?;
                        let carried = match &cmp {
                            Some(cmp) => Some(
                                crate::agreement::consensus::sync(rec, cmp, kind)?.agreed_units,
                            ),
                            None => None,
                        };
                        Ok((n, carried))
                    })?;
                out.message = format!(
                    "resolved ({what}): {n} coding(s) written under '{}'{} (u undoes)",
                    review::CONSENSUS_CODER,
                    carried
                        .map(|c| format!("; {c} agreed unit(s) carried"))
                        .unwrap_or_default()
                );
            }
            Effect::Done { doc, undo } => {
                let name = crate::agreement::done::document_name(s.conn(), doc)?;
                let summary = if undo {
                    format!("{} marks {name} not done", coder.name)
                } else {
                    format!("{} marks {name} done", coder.name)
                };
                let changed = s.change(me, "done", &summary, |rec| {
                    crate::agreement::done::set(rec, doc, coder.id, undo)
                })?;
                out.message = match (changed, undo) {
                    (true, false) => format!(
                        "{name} marked done by {}: no coding there now means nothing found (D again undoes)",
                        coder.name
                    ),
                    (true, true) => format!("{name} no longer marked done by {}", coder.name),
                    (false, _) => format!("{name}: nothing changed"),
                };
            }
            Effect::Autocode { query, code, turn } => {
                use crate::analysis::autocode::{self, AutoSource, AutocodeOptions, SpanMode};
                let o = autocode::autocode(
                    s,
                    coder.id,
                    &AutocodeOptions {
                        code,
                        source: AutoSource::Search { query, raw: false },
                        span: if turn { SpanMode::Turn } else { SpanMode::Hit },
                        filter: Default::default(),
                    },
                )?;
                out.message = format!(
                    "auto-coded {} passage(s) with {} ({} already coded; u undoes)",
                    o.added, o.code, o.already_coded
                );
            }
            Effect::Snapshot(name) => {
                let v = crate::analysis::versions::snapshot(s, me, &name)?;
                out.message = format!("snapshot '{}' of {} codes taken", v.name, v.codes);
            }
            Effect::Pin { slot, code } => {
                let summary = match code {
                    Some(id) => {
                        format!("pin '{}' to key {slot}", describe::code_path(s.conn(), id)?)
                    }
                    None => format!("unpin key {slot}"),
                };
                s.change(me, "pin", &summary, |rec| {
                    super::pins::set(rec, coder.id, slot, code)
                })?;
                out.message = match code {
                    Some(_) => format!("{summary}: {slot} codes with it in the transcript"),
                    None => format!("{summary}: {slot} codes with nothing now"),
                };
            }
            Effect::Undo => out.message = format!("undone: {}", s.undo(coder)?),
            Effect::Redo => out.message = format!("redone: {}", s.redo(coder)?),
        }
        Ok(out)
    }
}
