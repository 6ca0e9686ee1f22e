//! `thematic codes …` and `thematic import-codebook`.

use super::Context;
use super::args::{CodesCommand, FieldArgs, Output};
use super::output::{clip, json, rows};
use crate::codebook::{self, CodeFields, edit};
use crate::error::Result;
use std::path::Path;

fn fields(f: FieldArgs) -> CodeFields {
    CodeFields {
        definition: f.definition,
        inclusion: f.inclusion,
        exclusion: f.exclusion,
        example: f.example,
        memo: f.memo,
        colour: f.colour,
    }
}

pub fn import(ctx: &mut Context, file: &Path) -> Result<()> {
    let bytes =
        std::fs::read(file).map_err(|e| crate::invalid!("{}: cannot read: {e}", file.display()))?;
    let coder = ctx.coder()?;
    let shown = file.display().to_string();
    let out = ctx.study.change(
        Some(coder.id),
        "codebook",
        &format!("import codebook {shown}"),
        |rec| codebook::table::import_csv(rec, &shown, &bytes),
    )?;
    println!(
        "codebook: {} code(s) created, {} updated",
        out.created, out.updated
    );
    Ok(())
}

pub fn run(ctx: &mut Context, action: CodesCommand) -> Result<()> {
    if let CodesCommand::List { format } = action {
        return list(ctx, format);
    }
    if let CodesCommand::Describe { path, fields: f } = &action
        && f.definition.is_none()
        && f.inclusion.is_none()
        && f.exclusion.is_none()
        && f.example.is_none()
        && f.memo.is_none()
        && f.colour.is_none()
    {
        return show_definition(ctx, path);
    }
    let coder = ctx.coder()?;
    let message = match action {
        CodesCommand::List { .. } => unreachable!("handled above"),
        CodesCommand::Add { path, fields: f } => {
            let f = fields(f);
            let code = ctx.study.change(
                Some(coder.id),
                "codes.add",
                &format!("add code {path}"),
                |rec| edit::add(rec, &path, &f),
            )?;
            format!("added {} ({})", code.path, code.colour)
        }
        CodesCommand::Rename { path, new_name } => {
            let code = ctx.study.change(
                Some(coder.id),
                "codes.rename",
                &format!("rename {path} to {new_name}"),
                |rec| edit::rename(rec, &path, &new_name),
            )?;
            format!("renamed to {}", code.path)
        }
        CodesCommand::Move { path, to, top } => {
            if to.is_none() && !top {
                return Err(crate::invalid!("say where to: --to PARENT, or --top"));
            }
            let code = ctx.study.change(
                Some(coder.id),
                "codes.move",
                &format!("move {path}"),
                |rec| edit::move_to(rec, &path, to.as_deref()),
            )?;
            format!("moved to {}", code.path)
        }
        CodesCommand::Merge { from, into } => {
            let n = ctx.study.change(
                Some(coder.id),
                "codes.merge",
                &format!("merge {from} into {into}"),
                |rec| edit::merge(rec, &from, &into),
            )?;
            format!("merged {from} into {into}; {n} coding(s) moved")
        }
        CodesCommand::Delete { path, force } => {
            let n = ctx.study.change(
                Some(coder.id),
                "codes.delete",
                &format!("delete code {path}"),
                |rec| edit::delete(rec, &path, force),
            )?;
            format!("deleted {path} and {n} coding(s)")
        }
        CodesCommand::Describe { path, fields: f } => {
            let f = fields(f);
            let code = ctx.study.change(
                Some(coder.id),
                "codes.describe",
                &format!("describe {path}"),
                |rec| edit::describe(rec, &path, &f),
            )?;
            format!("updated {}", code.path)
        }
    };
    println!("{message}");
    Ok(())
}

fn show_definition(ctx: &Context, path: &str) -> Result<()> {
    let code = codebook::resolve(&codebook::all(ctx.study.conn())?, path)?;
    println!("{}  {}", code.path, code.colour);
    for (label, value) in [
        ("Definition", &code.definition),
        ("Include", &code.inclusion),
        ("Exclude", &code.exclusion),
        ("Example", &code.example),
        ("Memo", &code.memo),
    ] {
        if !value.is_empty() {
            println!("{label}: {}", crate::text::sanitize(value, true));
        }
    }
    Ok(())
}

fn list(ctx: &Context, format: Output) -> Result<()> {
    let conn = ctx.study.conn();
    let codes = codebook::all(conn)?;
    // The same count the workbench's codebook shows (a theme includes its codes; consensus
    // left out), beside each code's own codings.
    let per_document = codebook::rollup::code_document_counts(conn, None)?;
    let counts = codebook::rollup::subtree_counts(&codes, &per_document);
    // With no tree given, nothing rolls up: each code's own codings.
    let own = codebook::rollup::subtree_counts(&[], &per_document);
    match format {
        Output::Json => {
            #[derive(serde::Serialize)]
            struct Listed<'a> {
                #[serde(flatten)]
                code: &'a codebook::Code,
                /// Codings of this code and its subcodes, by the independent coders.
                codings: i64,
                documents: i64,
                /// Codings of this code alone (not its subcodes).
                own_codings: i64,
                counts: &'static str,
            }
            let listed: Vec<Listed> = codes
                .iter()
                .map(|c| {
                    let n = counts.get(&c.id).copied().unwrap_or_default();
                    Listed {
                        code: c,
                        codings: n.codings,
                        documents: n.documents,
                        own_codings: own.get(&c.id).map_or(0, |o| o.codings),
                        counts: codebook::rollup::DEFINITION,
                    }
                })
                .collect();
            json(&listed)
        }
        Output::Csv => {
            super::output::data(&codebook::table::export_csv(&codes, &counts)?)?;
            Ok(())
        }
        Output::Table => {
            let table: Vec<Vec<String>> = codes
                .iter()
                .map(|c| {
                    let n = counts.get(&c.id).copied().unwrap_or_default();
                    vec![
                        format!("{}{}", "  ".repeat(c.depth), c.name),
                        n.codings.to_string(),
                        n.documents.to_string(),
                        clip(&c.definition, 60),
                    ]
                })
                .collect();
            rows(format, &["code", "codings", "docs", "definition"], &table)?;
            println!("\n{}", codebook::rollup::DEFINITION);
            Ok(())
        }
    }
}
