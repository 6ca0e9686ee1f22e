//! Writing `.qdpx` projects: `project.qde` plus `sources/GUID.txt` (UTF-8), streamed into a
//! temporary file beside the target (created owner-only, 0600, from the first byte) and renamed
//! into place.
//!
//! Streaming: sources come one at a time from a [`SourceSupply`], their XML goes into the zip
//! entry through a small buffer, and their texts are fetched again for the `sources/` entries,
//! so memory holds one document and the GUID set, never the whole project (the in-memory
//! export of 500,000 codings peaked at 710 MB).

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::error::RefiError;
use super::guid::normalize_guid;
use super::model::{RefiCode, RefiProject, RefiSource};
use super::position_write::{PositionWriter, Target, text_for};
use super::project_write::{kinds, source_entry, write_head, write_source, write_tail};
use super::xml_out::XmlOut;

/// The sources of a streamed export, produced one at a time.
pub trait SourceSupply {
    fn count(&self) -> usize;
    /// Source `i` (0-based, in export order). Without `with_selections` only its GUID and
    /// text are needed (the second pass, for the text entries).
    fn source(&mut self, i: usize, with_selections: bool) -> Result<RefiSource, String>;
}

/// What a streamed export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportStats {
    pub sources: usize,
    pub selections: usize,
}

/// Bytes of XML gathered before they go into the zip entry.
const FLUSH_AT: usize = 1 << 20;

fn code_guids<'a>(codes: &'a [RefiCode], out: &mut Vec<&'a str>) {
    for c in codes {
        out.push(&c.guid);
        code_guids(&c.children, out);
    }
}

/// GUIDs seen so far, as 128-bit numbers (a million of them fit in tens of MB).
#[derive(Default)]
struct Guids(HashSet<u128>);

impl Guids {
    fn add(&mut self, g: &str) -> Result<(), String> {
        let n = normalize_guid(g)
            .and_then(|(norm, _)| uuid::Uuid::parse_str(&norm).ok())
            .ok_or_else(|| format!("'{g}' is not a GUID"))?
            .as_u128();
        if !self.0.insert(n) {
            return Err(format!("GUID {g} is used twice"));
        }
        Ok(())
    }
}

/// Checks what the schema or our own reader would reject in everything but the sources.
fn validate_head(p: &RefiProject, seen: &mut Guids) -> Result<(), String> {
    let mut guids: Vec<&str> = Vec::new();
    guids.extend(p.users.iter().map(|u| u.guid.as_str()));
    code_guids(&p.codes, &mut guids);
    guids.extend(p.variables.iter().map(|v| v.guid.as_str()));
    guids.extend(p.cases.iter().map(|c| c.guid.as_str()));
    guids.extend(p.notes.iter().map(|n| n.guid.as_str()));
    guids.extend(p.sets.iter().map(|s| s.guid.as_str()));
    guids.into_iter().try_for_each(|g| seen.add(g))
}

/// Checks one source: GUIDs unique across the project, selections inside its text.
fn validate_source(s: &RefiSource, seen: &mut Guids) -> Result<(), String> {
    seen.add(&s.guid)?;
    let len = s.text.chars().count();
    for sel in &s.selections {
        seen.add(&sel.guid)?;
        for c in &sel.codings {
            seen.add(&c.guid)?;
        }
        if sel.start > sel.end || sel.end > len {
            return Err(format!(
                "selection {} ({}..{}) does not fit source '{}' ({len} characters)",
                sel.guid, sel.start, sel.end, s.name
            ));
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

/// Creates `path` for writing, readable by the owner only from the moment it exists: a file
/// created with the default mode and chmod-ed later is world-readable until then, and a kill
/// in between left transcripts readable by anyone (issue 14).
fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn write_zip(
    head: &RefiProject,
    sources: &mut dyn SourceSupply,
    target: Target,
    tmp: &Path,
) -> Result<ExportStats, String> {
    let mut seen = Guids::default();
    validate_head(head, &mut seen).map_err(|m| format!("cannot export: {m}"))?;
    let file = create_private(tmp).map_err(|e| e.to_string())?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o600);
    let io = |e: std::io::Error| e.to_string();
    let zerr = |e: zip::result::ZipError| e.to_string();
    let n = sources.count();
    let mut stats = ExportStats {
        sources: n,
        selections: 0,
    };
    zip.start_file("project.qde", opts).map_err(zerr)?;
    let kinds = kinds(head);
    let mut out = XmlOut::new();
    write_head(&mut out, head, n > 0);
    for i in 0..n {
        let s = sources.source(i, true)?;
        validate_source(&s, &mut seen).map_err(|m| format!("cannot export: {m}"))?;
        stats.selections += s.selections.len();
        let positions = PositionWriter::new(&s.text, target);
        write_source(&mut out, &s, &kinds, &|p| positions.convert(p));
        if out.pending() >= FLUSH_AT {
            out.drain_to(&mut zip).map_err(io)?;
        }
    }
    write_tail(&mut out, head, n > 0);
    out.drain_to(&mut zip).map_err(io)?;
    for i in 0..n {
        let s = sources.source(i, false)?;
        zip.start_file(source_entry(&s.guid).0, opts)
            .map_err(zerr)?;
        zip.write_all(text_for(&s.text, target).as_bytes())
            .map_err(io)?;
    }
    let buf = zip.finish().map_err(zerr)?;
    let file = buf.into_inner().map_err(|e| e.to_string())?;
    file.sync_all().map_err(io)?;
    Ok(stats)
}

/// Writes a project whose sources come one at a time, positions in `target`'s counting, as a
/// `.qdpx` at `path`, atomically (owner-only temp file + rename).
pub fn write_qdpx_streamed(
    head: &RefiProject,
    sources: &mut dyn SourceSupply,
    target: Target,
    path: &Path,
) -> Result<ExportStats, RefiError> {
    let label = path.display().to_string();
    let tmp = temp_path(path);
    let result = write_zip(head, sources, target, &tmp)
        .map_err(|m| {
            if m.starts_with("cannot export") {
                RefiError::invalid(&label, m)
            } else {
                RefiError::invalid(&label, format!("writing the archive failed: {m}"))
            }
        })
        .and_then(|stats| {
            std::fs::rename(&tmp, path)
                .map(|()| stats)
                .map_err(|e| RefiError::io(&label, e))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The sources of a project held in memory.
struct InMemory<'a>(&'a [RefiSource]);

impl SourceSupply for InMemory<'_> {
    fn count(&self) -> usize {
        self.0.len()
    }
    fn source(&mut self, i: usize, _with_selections: bool) -> Result<RefiSource, String> {
        Ok(self.0[i].clone())
    }
}

/// Writes `project` (held in memory) as a standard `.qdpx` at `path`, atomically.
pub fn write_qdpx(project: &RefiProject, path: &Path) -> Result<(), RefiError> {
    let p = project;
    let head = RefiProject {
        name: p.name.clone(),
        origin: p.origin.clone(),
        creating_user: p.creating_user.clone(),
        users: p.users.clone(),
        codes: p.codes.clone(),
        variables: p.variables.clone(),
        cases: p.cases.clone(),
        sources: Vec::new(),
        notes: p.notes.clone(),
        sets: p.sets.clone(),
        project_note_refs: p.project_note_refs.clone(),
        description: p.description.clone(),
    };
    write_qdpx_streamed(
        &head,
        &mut InMemory(&project.sources),
        Target::Standard,
        path,
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Looks at the temporary file while the export is still streaming sources into it.
    struct Watch {
        dir: PathBuf,
        seen_modes: Vec<u32>,
    }

    impl SourceSupply for Watch {
        fn count(&self) -> usize {
            2
        }
        fn source(&mut self, i: usize, _with_selections: bool) -> Result<RefiSource, String> {
            #[cfg(unix)]
            for entry in std::fs::read_dir(&self.dir).map_err(|e| e.to_string())? {
                use std::os::unix::fs::PermissionsExt;
                let entry = entry.map_err(|e| e.to_string())?;
                if entry.file_name().to_string_lossy().ends_with(".tmp") {
                    let mode = entry
                        .metadata()
                        .map_err(|e| e.to_string())?
                        .permissions()
                        .mode();
                    self.seen_modes.push(mode & 0o777);
                }
            }
            Ok(RefiSource {
                guid: format!("00000000-0000-4000-8000-00000000000{i}"),
                name: format!("doc {i}"),
                text: "private transcript".into(),
                ..Default::default()
            })
        }
    }

    /// Issue 14: a kill at any moment must not leave transcripts world-readable, so the temp
    /// file is owner-only while it is being written, not chmod-ed afterwards.
    #[test]
    fn the_temp_file_is_owner_only_while_it_is_written() {
        let dir = std::env::temp_dir().join(format!("thematic-qdpx-{}", super::super::new_guid()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("x.qdpx");
        let mut watch = Watch {
            dir: dir.clone(),
            seen_modes: Vec::new(),
        };
        let stats =
            write_qdpx_streamed(&RefiProject::default(), &mut watch, Target::Standard, &out)
                .unwrap();
        assert_eq!(stats.sources, 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Four calls (two passes over two sources), each saw the temp file at 0600.
            assert_eq!(watch.seen_modes, vec![0o600; 4]);
            let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Nothing is left beside the export.
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("x.qdpx")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A duplicate GUID found while streaming removes the half-written temp file and says why.
    #[test]
    fn a_bad_source_mid_stream_leaves_nothing() {
        struct Dup;
        impl SourceSupply for Dup {
            fn count(&self) -> usize {
                2
            }
            fn source(&mut self, _: usize, _: bool) -> Result<RefiSource, String> {
                Ok(RefiSource {
                    guid: "00000000-0000-4000-8000-000000000001".into(),
                    name: "same".into(),
                    ..Default::default()
                })
            }
        }
        let dir = std::env::temp_dir().join(format!("thematic-qdpx-{}", super::super::new_guid()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = write_qdpx_streamed(
            &RefiProject::default(),
            &mut Dup,
            Target::Standard,
            &dir.join("x.qdpx"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("cannot export") && err.contains("used twice"),
            "{err}"
        );
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
