//! Tests of the REFI-QDA module. Sample files come from `shared/refi-qda`.

mod description;
mod hostile;
mod lenient;
mod roundtrip;
mod samples;
mod stream;

use std::io::Write;
use std::path::{Path, PathBuf};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::new_guid;

/// `shared/refi-qda/samples`: beside the main crate (`/work/main` →
/// `/work/shared`) or two levels up, or under `$THEMATIC_SHARED_DIR` when set (point it at a
/// missing folder to check that the tests skip). `None`, with a printed SKIPPED line naming
/// `test`, when absent — a fresh clone has no `../shared` — unless
/// `THEMATIC_REQUIRE_SHARED=1` (CI, which has it) makes that a failure.
pub(super) fn samples(test: &str) -> Option<PathBuf> {
    refi_shared(test).map(|d| d.join("samples"))
}

/// `shared/refi-qda` (the XSDs and `samples/`), as `samples` finds it.
pub(super) fn refi_shared(test: &str) -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates: Vec<PathBuf> = match std::env::var_os("THEMATIC_SHARED_DIR") {
        Some(d) => vec![PathBuf::from(d).join("refi-qda")],
        None => vec![
            manifest.join("../shared/refi-qda"),
            manifest.join("../../shared/refi-qda"),
        ],
    };
    if let Some(found) = candidates.iter().find(|c| c.join("samples").is_dir()) {
        return Some(found.clone());
    }
    let msg = format!(
        "SKIPPED {test}: the REFI-QDA samples (shared/refi-qda) are not here; looked in {candidates:?}"
    );
    if std::env::var_os("THEMATIC_REQUIRE_SHARED").is_some_and(|v| v == "1") {
        panic!("{msg} (THEMATIC_REQUIRE_SHARED=1)");
    }
    println!("{msg}");
    None
}

/// A scratch directory removed on drop.
pub(super) struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let p = std::env::temp_dir().join(format!("refi-test-{}", new_guid()));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes a zip with the given entries (deflated) and returns its path.
pub(super) fn make_zip(dir: &TempDir, name: &str, entries: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.path(name);
    let file = std::fs::File::create(&path).expect("create zip");
    let mut zip = ZipWriter::new(file);
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (n, data) in entries {
        zip.start_file(*n, opts).expect("start entry");
        zip.write_all(data).expect("write entry");
    }
    zip.finish().expect("finish zip");
    path
}

/// Runs `xmllint --schema` on `xml`; `false` (with a printed message) when
/// xmllint or the XSDs are not there. Panics with xmllint's output if invalid.
pub(super) fn xmllint_validates(xml: &str, xsd_name: &str) -> bool {
    let Some(shared) = refi_shared("schema validation") else {
        return false;
    };
    let xsd = shared.join(xsd_name);
    let dir = TempDir::new();
    let file = dir.path("doc.xml");
    std::fs::write(&file, xml).expect("write xml");
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output();
    match out {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!(
                "SKIPPED schema validation: xmllint is not installed (apt-get install libxml2-utils)"
            );
            false
        }
        Err(e) => panic!("running xmllint: {e}"),
        Ok(o) => {
            assert!(
                o.status.success(),
                "xmllint rejected the document against {xsd_name}:\n{}\n--- document ---\n{xml}",
                String::from_utf8_lossy(&o.stderr)
            );
            true
        }
    }
}
