//! Pinned codes: the code each digit key 1–9 codes with, set by the coder in the codebook and
//! stable until they change it (recent codes lead the finder instead). Kept per coder in the
//! study file (`pinned_codes`, migration 5); pinning goes through the history, so `u` undoes it.

use crate::Result;
use crate::study::history::{Recorder, id_key};
use rusqlite::Connection;
use rusqlite::types::Value;

/// The coder's pins: `pins[k]` is the code on key k+1.
pub type Pins = [Option<i64>; 9];

pub fn load(conn: &Connection, coder: i64) -> Result<Pins> {
    let mut pins = [None; 9];
    let mut stmt =
        conn.prepare_cached("SELECT slot, code_id FROM pinned_codes WHERE coder_id = ?1")?;
    for row in stmt.query_map([coder], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (slot, code) = row?;
        if (1..=9).contains(&slot) {
            pins[slot as usize - 1] = Some(code);
        }
    }
    Ok(pins)
}

/// Puts `code` on key `slot` (1–9) for `coder`, or clears the key (`code` None). A code sits on
/// one key at most: pinning it elsewhere moves it.
pub fn set(rec: &mut Recorder, coder: i64, slot: u8, code: Option<i64>) -> Result<()> {
    if !(1..=9).contains(&slot) {
        return Err(crate::invalid!("pin keys are 1 to 9, not {slot}"));
    }
    let stale: Vec<i64> = {
        let mut stmt = rec.tx.prepare_cached(
            "SELECT id FROM pinned_codes WHERE coder_id = ?1 AND (slot = ?2 OR code_id IS ?3)",
        )?;
        stmt.query_map(rusqlite::params![coder, slot as i64, code], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?
    };
    for id in stale {
        rec.delete("pinned_codes", &id_key(id))?;
    }
    if let Some(code) = code {
        rec.insert(
            "pinned_codes",
            &[
                ("coder_id", Value::Integer(coder)),
                ("slot", Value::Integer(slot as i64)),
                ("code_id", Value::Integer(code)),
            ],
        )?;
    }
    Ok(())
}
