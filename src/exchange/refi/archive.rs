//! Defensive zip reading: safe entry names, declared and actual size limits,
//! compression-ratio checks. Used for the `.qdpx` and for `.docx` inside it.

use std::io::{ErrorKind, Read, Seek, SeekFrom};

use zip::ZipArchive;

use super::error::RefiError;
use super::limits::{Limits, RATIO_THRESHOLD};

pub(super) struct Archive<R: Read + Seek> {
    label: String,
    zip: ZipArchive<R>,
    /// Entry names with `\` turned into `/`, by index.
    names: Vec<String>,
    limits: Limits,
    read_total: u64,
    /// Folder that `find` looks in first (the `.qde`'s folder), `""` or `dir/`.
    base: String,
}

/// True if extracting `name` could land outside the archive's folder.
pub(super) fn is_unsafe_name(name: &str) -> bool {
    let b = name.as_bytes();
    name.contains('\0')
        || name.starts_with('/')
        || name.starts_with('\\')
        || (b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic())
        || name.split(['/', '\\']).any(|seg| seg == "..")
}

fn zip_detail(e: &zip::result::ZipError) -> String {
    e.to_string()
}

impl<R: Read + Seek> Archive<R> {
    /// Opens and vets a zip: every entry name, the entry count and all
    /// declared sizes, before anything is decompressed.
    pub fn open(label: &str, mut reader: R, limits: &Limits) -> Result<Self, RefiError> {
        let mut magic = [0u8; 4];
        let got = read_up_to(&mut reader, &mut magic).map_err(|e| RefiError::io(label, e))?;
        reader
            .seek(SeekFrom::Start(0))
            .map_err(|e| RefiError::io(label, e))?;
        let zip = ZipArchive::new(reader).map_err(|e| {
            if got == 0 {
                RefiError::NotZip {
                    file: label.to_string(),
                    detail: "the file is empty".to_string(),
                }
            } else if magic[..got.min(2)] != *b"PK" {
                RefiError::NotZip {
                    file: label.to_string(),
                    detail: "it does not start with a zip signature".to_string(),
                }
            } else {
                RefiError::BadZip {
                    file: label.to_string(),
                    detail: zip_detail(&e),
                }
            }
        })?;
        let mut archive = Archive {
            label: label.to_string(),
            zip,
            names: Vec::new(),
            limits: limits.clone(),
            read_total: 0,
            base: String::new(),
        };
        archive.vet()?;
        Ok(archive)
    }

    fn limit(&self, what: String, actual: u64, limit: u64) -> RefiError {
        RefiError::Limit {
            file: self.label.clone(),
            what,
            actual,
            limit,
        }
    }

    fn vet(&mut self) -> Result<(), RefiError> {
        let count = self.zip.len();
        if count > self.limits.max_entries {
            return Err(self.limit(
                "number of entries".into(),
                count as u64,
                self.limits.max_entries as u64,
            ));
        }
        let mut declared_total: u64 = 0;
        for i in 0..count {
            let f = self.zip.by_index_raw(i).map_err(|e| RefiError::BadZip {
                file: self.label.clone(),
                detail: zip_detail(&e),
            })?;
            let raw_name = String::from_utf8_lossy(f.name_raw()).into_owned();
            if is_unsafe_name(&raw_name) || f.enclosed_name().is_none() {
                return Err(RefiError::UnsafePath {
                    file: self.label.clone(),
                    name: raw_name,
                });
            }
            let (size, compressed) = (f.size(), f.compressed_size());
            drop(f);
            if size > self.limits.max_entry_bytes {
                return Err(self.limit(
                    format!("declared size of entry {raw_name}"),
                    size,
                    self.limits.max_entry_bytes,
                ));
            }
            declared_total = declared_total.saturating_add(size);
            if declared_total > self.limits.max_total_uncompressed {
                return Err(self.limit(
                    "declared total uncompressed size".into(),
                    declared_total,
                    self.limits.max_total_uncompressed,
                ));
            }
            self.check_ratio(&raw_name, size, compressed)?;
            self.names.push(raw_name.replace('\\', "/"));
        }
        Ok(())
    }

    fn check_ratio(&self, name: &str, size: u64, compressed: u64) -> Result<(), RefiError> {
        let ratio = size / compressed.max(1);
        if size > RATIO_THRESHOLD && ratio > self.limits.max_ratio {
            return Err(self.limit(
                format!("compression ratio of entry {name} (x:1)"),
                ratio,
                self.limits.max_ratio,
            ));
        }
        Ok(())
    }

    /// Bytes decompressed so far.
    pub fn read_total(&self) -> u64 {
        self.read_total
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    /// Entry names (with `/` separators), by index.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Index of an entry: exact name first, then ignoring case.
    pub fn find(&self, name: &str) -> Option<usize> {
        let name = name.replace('\\', "/");
        let based = format!("{}{name}", self.base);
        let exact = |n: &str| self.names.iter().position(|x| x == n);
        let folded = |n: &str| self.names.iter().position(|x| x.eq_ignore_ascii_case(n));
        exact(&based)
            .or_else(|| exact(&name))
            .or_else(|| folded(&based))
            .or_else(|| folded(&name))
    }

    /// Makes `find` look in `base` (e.g. `Export/`) first.
    pub fn set_base(&mut self, base: &str) {
        self.base = base.to_string();
    }

    /// Decompresses the text of a source or note (at most `max_text_bytes`), never reading
    /// more than the limits allow nor more than the entry's header declares.
    pub fn read_text(&mut self, index: usize) -> Result<Vec<u8>, RefiError> {
        let name = self.names.get(index).cloned().unwrap_or_default();
        let text_cap = self.limits.max_text_bytes;
        let declared = self.zip.by_index_raw(index).map(|f| f.size()).unwrap_or(0);
        if declared > text_cap {
            return Err(self.limit(
                format!("size of the text in entry {name}"),
                declared,
                text_cap,
            ));
        }
        self.read_capped(index, text_cap.min(self.limits.max_entry_bytes))
    }

    fn read_capped(&mut self, index: usize, entry_cap: u64) -> Result<Vec<u8>, RefiError> {
        let name = self.names.get(index).cloned().unwrap_or_default();
        let remaining = self
            .limits
            .max_total_uncompressed
            .saturating_sub(self.read_total);
        let cap = entry_cap.min(remaining);
        let (limits, label) = (self.limits.clone(), self.label.clone());
        let bad = |detail: String| RefiError::BadZip {
            file: label.clone(),
            detail: format!("entry {name}: {detail}"),
        };
        let mut f = self.zip.by_index(index).map_err(|e| bad(zip_detail(&e)))?;
        let (declared, compressed) = (f.size(), f.compressed_size());
        let mut limited = (&mut f).take(cap.saturating_add(1));
        let mut buf: Vec<u8> = Vec::with_capacity(declared.min(cap).min(1 << 24) as usize);
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = match limited.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.to_string().contains("declared") => {
                    return Err(lying(&label, &name, declared));
                }
                Err(e) => return Err(bad(e.to_string())),
            };
            buf.extend_from_slice(&chunk[..n]);
            let len = buf.len() as u64;
            if len > declared {
                return Err(lying(&label, &name, declared));
            }
            if len > cap {
                let (what, limit) = if cap == entry_cap {
                    (format!("size of entry {name}"), entry_cap)
                } else {
                    (
                        "total uncompressed size".to_string(),
                        limits.max_total_uncompressed,
                    )
                };
                return Err(RefiError::Limit {
                    file: label.clone(),
                    what,
                    actual: self.read_total.saturating_add(len),
                    limit,
                });
            }
            let ratio = len / compressed.max(1);
            if len > RATIO_THRESHOLD && ratio > limits.max_ratio {
                return Err(RefiError::Limit {
                    file: label.clone(),
                    what: format!("compression ratio of entry {name} (x:1)"),
                    actual: ratio,
                    limit: limits.max_ratio,
                });
            }
        }
        drop(f);
        self.read_total = self.read_total.saturating_add(buf.len() as u64);
        Ok(buf)
    }
}

fn lying(label: &str, name: &str, declared: u64) -> RefiError {
    RefiError::invalid(
        label,
        format!(
            "entry {name} holds more data than its header declares ({declared} bytes); refusing a damaged or hostile archive"
        ),
    )
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// One entry, decompressed as it is read (the project XML of a large study is read this way,
/// never held whole), under the same checks as `Archive::read`: the entry's declared size,
/// the size limit, and the compression ratio. A check that fails ends the stream with an I/O
/// error and leaves the reason in `failure`.
pub(super) struct EntryStream<'a, R: Read + Seek> {
    inner: zip::read::ZipFile<'a, R>,
    read: u64,
    declared: u64,
    compressed: u64,
    cap: u64,
    max_ratio: u64,
    label: String,
    name: String,
    pub failure: std::rc::Rc<std::cell::RefCell<Option<RefiError>>>,
}

impl<R: Read + Seek> Archive<R> {
    /// Streams one entry (see `EntryStream`).
    pub fn stream(&mut self, index: usize) -> Result<EntryStream<'_, R>, RefiError> {
        let name = self.names.get(index).cloned().unwrap_or_default();
        let label = self.label.clone();
        let cap = self
            .limits
            .max_entry_bytes
            .min(self.limits.max_total_uncompressed);
        let max_ratio = self.limits.max_ratio;
        let inner = self.zip.by_index(index).map_err(|e| RefiError::BadZip {
            file: label.clone(),
            detail: format!("entry {name}: {}", zip_detail(&e)),
        })?;
        let (declared, compressed) = (inner.size(), inner.compressed_size());
        Ok(EntryStream {
            inner,
            read: 0,
            declared,
            compressed,
            cap,
            max_ratio,
            label,
            name,
            failure: Default::default(),
        })
    }
}

impl<R: Read + Seek> EntryStream<'_, R> {
    fn fail(&self, e: RefiError) -> std::io::Error {
        let msg = e.to_string();
        *self.failure.borrow_mut() = Some(e);
        std::io::Error::other(msg)
    }
}

impl<R: Read + Seek> Read for EntryStream<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) if e.to_string().contains("declared") => {
                return Err(self.fail(lying(&self.label, &self.name, self.declared)));
            }
            Err(e) => {
                return Err(self.fail(RefiError::BadZip {
                    file: self.label.clone(),
                    detail: format!("entry {}: {e}", self.name),
                }));
            }
        };
        self.read += n as u64;
        if self.read > self.declared {
            return Err(self.fail(lying(&self.label, &self.name, self.declared)));
        }
        if self.read > self.cap {
            return Err(self.fail(RefiError::Limit {
                file: self.label.clone(),
                what: format!("size of entry {}", self.name),
                actual: self.read,
                limit: self.cap,
            }));
        }
        let ratio = self.read / self.compressed.max(1);
        if self.read > RATIO_THRESHOLD && ratio > self.max_ratio {
            return Err(self.fail(RefiError::Limit {
                file: self.label.clone(),
                what: format!("compression ratio of entry {} (x:1)", self.name),
                actual: ratio,
                limit: self.max_ratio,
            }));
        }
        Ok(n)
    }
}

/// Counts lines of a stream as it passes, for error messages: remembers where each newline
/// was until the parser has moved past it, so memory stays bounded by the read-ahead.
pub(super) struct LineTap<R> {
    inner: R,
    pos: u64,
    pending: std::rc::Rc<std::cell::RefCell<LineState>>,
}

#[derive(Default)]
pub(super) struct LineState {
    newlines: std::collections::VecDeque<u64>,
    line: usize,
}

impl LineState {
    /// The line of byte position `pos` (positions only move forward).
    pub fn at(&mut self, pos: u64) -> usize {
        while self.newlines.front().is_some_and(|&n| n < pos) {
            self.newlines.pop_front();
            self.line += 1;
        }
        self.line + 1
    }
}

impl<R: Read> LineTap<R> {
    pub fn new(inner: R) -> (Self, std::rc::Rc<std::cell::RefCell<LineState>>) {
        let state = std::rc::Rc::new(std::cell::RefCell::new(LineState::default()));
        (
            LineTap {
                inner,
                pos: 0,
                pending: state.clone(),
            },
            state,
        )
    }
}

impl<R: Read> Read for LineTap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut st = self.pending.borrow_mut();
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\n' {
                st.newlines.push_back(self.pos + i as u64);
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
}
