//! A compact binary form of a model for the study file: little-endian numbers and
//! length-prefixed UTF-8. Reading checks every length, so a damaged blob is an error, not a
//! panic or a huge allocation.

use crate::error::{Error, Result};

#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f32(&mut self, v: f32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.bytes.extend_from_slice(s.as_bytes());
    }
}

pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

fn damaged(what: &str) -> Error {
    Error::Invalid(format!(
        "the stored suggestion model is damaged ({what}); run `thematic suggest train` again"
    ))
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| damaged("truncated"))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    pub fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(self.array()?))
    }
    pub fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }
    pub fn str(&mut self) -> Result<String> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| damaged("text is not UTF-8"))
    }

    /// A count of items of at least `min_size` bytes each, checked against what is left.
    pub fn count(&mut self, min_size: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size.max(1)) > self.bytes.len() - self.pos {
            return Err(damaged("a count runs past the end"));
        }
        Ok(n)
    }

    pub fn finish(&self) -> Result<()> {
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(damaged("trailing bytes"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_truncation() {
        let mut w = Writer::default();
        w.u32(3);
        w.str("näh");
        w.f64(-1.5);
        let mut r = Reader::new(&w.bytes);
        assert_eq!(r.u32().unwrap(), 3);
        assert_eq!(r.str().unwrap(), "näh");
        assert_eq!(r.f64().unwrap(), -1.5);
        r.finish().unwrap();
        let short = &w.bytes[..w.bytes.len() - 1];
        let mut r = Reader::new(short);
        r.u32().unwrap();
        r.str().unwrap();
        assert!(r.f64().is_err());
        let mut huge = Writer::default();
        huge.u32(u32::MAX);
        assert!(Reader::new(&huge.bytes).count(4).is_err());
    }
}
