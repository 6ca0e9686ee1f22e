//! One definition of "how many participants" for every place that prints it (`summary`, the
//! `.qdpx` export), so they agree: participants are people whose role is not moderator;
//! moderators are counted apart and named as such (issue 12). A `.qdpx` carries both, as
//! Cases, with the role in each Case's description.

use crate::error::Result;
use rusqlite::Connection;

/// (participants, moderators) in the study. Role comparison ignores case, as the analysis
/// index does.
pub fn count(conn: &Connection) -> Result<(usize, usize)> {
    let (people, moderators): (i64, i64) = conn.query_row(
        "SELECT count(*), coalesce(sum(lower(role) = 'moderator'), 0) FROM participants",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(((people - moderators) as usize, moderators as usize))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "8 participants + 1 moderator" — the same words wherever a count is printed.
pub fn describe(participants: usize, moderators: usize) -> String {
    let p = plural(participants, "participant", "participants");
    if moderators == 0 {
        p
    } else {
        format!("{p} + {}", plural(moderators, "moderator", "moderators"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_split_moderators_whatever_their_case() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE participants (id INTEGER PRIMARY KEY, pid TEXT, role TEXT);
             INSERT INTO participants (pid, role) VALUES
               ('P01', 'participant'), ('P02', 'participant'), ('M1', 'Moderator'), ('P03', 'observer');",
        )
        .unwrap();
        assert_eq!(count(&conn).unwrap(), (3, 1));
        assert_eq!(describe(3, 1), "3 participants + 1 moderator");
        assert_eq!(describe(1, 0), "1 participant");
        assert_eq!(describe(2, 2), "2 participants + 2 moderators");
        conn.execute("DELETE FROM participants", []).unwrap();
        assert_eq!(count(&conn).unwrap(), (0, 0));
    }
}
