//! Writing `.qdpx` projects: `project.qde` plus `sources/GUID.txt` (UTF-8),
//! written to a temporary file beside the target and renamed into place.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::error::RefiError;
use super::guid::normalize_guid;
use super::model::{RefiCode, RefiProject};
use super::project_write::{source_entry, write_project_xml};

fn code_guids<'a>(codes: &'a [RefiCode], out: &mut Vec<&'a str>) {
    for c in codes {
        out.push(&c.guid);
        code_guids(&c.children, out);
    }
}

/// Checks what the schema or our own reader would reject.
fn validate(p: &RefiProject) -> Result<(), String> {
    let mut guids: Vec<&str> = Vec::new();
    guids.extend(p.users.iter().map(|u| u.guid.as_str()));
    code_guids(&p.codes, &mut guids);
    guids.extend(p.variables.iter().map(|v| v.guid.as_str()));
    guids.extend(p.cases.iter().map(|c| c.guid.as_str()));
    guids.extend(p.notes.iter().map(|n| n.guid.as_str()));
    guids.extend(p.sets.iter().map(|s| s.guid.as_str()));
    for s in &p.sources {
        guids.push(&s.guid);
        for sel in &s.selections {
            guids.push(&sel.guid);
            guids.extend(sel.codings.iter().map(|c| c.guid.as_str()));
        }
    }
    let mut seen = HashSet::new();
    for g in &guids {
        let Some((norm, _)) = normalize_guid(g) else {
            return Err(format!("'{g}' is not a GUID"));
        };
        if !seen.insert(norm) {
            return Err(format!("GUID {g} is used twice"));
        }
    }
    for s in &p.sources {
        let len = s.text.chars().count();
        for sel in &s.selections {
            if sel.start > sel.end || sel.end > len {
                return Err(format!(
                    "selection {} ({}..{}) does not fit source '{}' ({len} characters)",
                    sel.guid, sel.start, sel.end, s.name
                ));
            }
        }
    }
    Ok(())
}

fn temp_path(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "project".into(), |n| n.to_string_lossy().into_owned());
    dir.join(format!(".{name}.{}.tmp", &super::new_guid()[..8]))
}

fn write_zip(project: &RefiProject, tmp: &Path) -> Result<(), String> {
    let file = File::create(tmp).map_err(|e| e.to_string())?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut put = |name: &str, data: &[u8]| -> Result<(), String> {
        zip.start_file(name, opts).map_err(|e| e.to_string())?;
        zip.write_all(data).map_err(|e| e.to_string())
    };
    put("project.qde", write_project_xml(project).as_bytes())?;
    for s in &project.sources {
        put(&source_entry(&s.guid).0, s.text.as_bytes())?;
    }
    let buf = zip.finish().map_err(|e| e.to_string())?;
    let file = buf.into_inner().map_err(|e| e.to_string())?;
    file.sync_all().map_err(|e| e.to_string())
}

/// Writes `project` as a `.qdpx` at `path`, atomically (temp file + rename).
pub fn write_qdpx(project: &RefiProject, path: &Path) -> Result<(), RefiError> {
    let label = path.display().to_string();
    validate(project).map_err(|m| RefiError::invalid(&label, format!("cannot export: {m}")))?;
    let tmp = temp_path(path);
    let result = write_zip(project, &tmp)
        .map_err(|m| RefiError::invalid(&label, format!("writing the archive failed: {m}")))
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| RefiError::io(&label, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
