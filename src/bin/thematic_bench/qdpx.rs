//! REFI-QDA rows: `.qdpx` export and import of the big study, and the import growth series.

use std::path::Path;
use std::process::Command;

use crate::util::*;
use crate::{Bench, TURNS};

impl Bench {
    pub(crate) fn qdpx_rows(&mut self, big: &Path, codings: &str) {
        let runs = if self.quick { 1 } else { 3 };
        let qdpx = self.work.join("big.qdpx");
        eprintln!("qdpx: export…");
        let (walls, cpus, peak) = self.repeat(runs, || {
            let _ = std::fs::remove_file(&qdpx);
            let mut c = self.thematic(big);
            c.args(["export", "qdpx"]).arg(&qdpx);
            c
        });
        let size = std::fs::metadata(&qdpx).map(|m| m.len()).unwrap_or(0);
        let s = stats(&walls);
        self.rows.push(Row {
            name: format!(
                ".qdpx export of {codings} codings (`thematic export qdpx OUT`, the whole generated study); {:.1} MB archive",
                size as f64 / 1e6
            ),
            runs,
            median: ms(s.median),
            spread: format!(
                "{} – {}; CPU {}",
                ms(s.min),
                ms(s.max),
                ms(stats(&cpus).median)
            ),
            peak: mb(peak),
            target: "— (report)".into(),
            peer: "—".into(),
            result: "info".into(),
        });
        // Import: 500,000 codings did not finish in 10 minutes by hand (CPU-bound: each
        // selection's GUID is checked with `lower(guid) = lower(?)`, a full scan of the codings
        // imported so far), so the growth is measured on small projects and the full one runs
        // under a time limit.
        let import = |bench: &Bench, qdpx: &Path, name: &str, limit: f64| {
            let study = bench.work.join(name);
            let mut init = Command::new(&bench.thematic);
            init.arg("init").arg(&study);
            run_child(&mut init, &bench.out());
            let mut c = bench.thematic(&study);
            c.arg("import").arg(qdpx);
            let r = run_child_limit(&mut c, &bench.out(), limit);
            let n = rusqlite::Connection::open(&study)
                .and_then(|c| {
                    c.query_row("SELECT count(*) FROM codings", [], |r| r.get::<_, i64>(0))
                })
                .unwrap_or(-1);
            (r, n)
        };
        let mut fit = Vec::new();
        for n in [2_500, 5_000, 10_000] {
            eprintln!("qdpx: import of {n} codings…");
            let (small, _, _, _) = self.gen_study(
                &format!("qdpx-{n}.thematic"),
                &[
                    "--docs",
                    "100",
                    "--turns-per-doc",
                    TURNS,
                    "--coders",
                    "3",
                    "--codings",
                    &n.to_string(),
                    "--seed",
                    "3",
                ],
            );
            let file = self.work.join(format!("qdpx-{n}.qdpx"));
            let mut c = self.thematic(&small);
            c.args(["export", "qdpx"]).arg(&file);
            run_child(&mut c, &self.out());
            let ((wall, rss, cpu, _), got) =
                import(self, &file, &format!("qdpx-{n}-import.thematic"), 600.0);
            fit.push((n as f64, cpu));
            self.rows.push(Row {
                name: format!(
                    "  growth: .qdpx import of {n} codings (100 transcripts, 10 MB; {got} codings after)"
                ),
                runs: 1,
                median: ms(wall),
                spread: format!("CPU {}", ms(cpu)),
                peak: mb(rss),
                target: "—".into(),
                peer: "—".into(),
                result: "info".into(),
            });
        }
        let limit = if self.quick { 20.0 } else { 60.0 };
        eprintln!("qdpx: import of {codings} codings (limit {limit} s)…");
        let ((wall, rss, cpu, finished), got) = import(self, &qdpx, "qdpx-import.thematic", limit);
        // CPU grows as n²: extrapolate from the largest small run.
        let (n0, c0) = fit[fit.len() - 1];
        let n: f64 = codings.parse().unwrap_or(0.0);
        let estimate = c0 * (n / n0).powi(2);
        let growth = fit
            .windows(2)
            .map(|w| format!("{:.1}×", w[1].1 / w[0].1))
            .collect::<Vec<_>>()
            .join(", ");
        self.rows.push(Row {
            name: format!(
                ".qdpx import of {codings} codings (`thematic import X.qdpx` into a fresh study, one action)"
            ),
            runs: 1,
            median: if finished {
                ms(wall)
            } else {
                format!("> {} (killed, not finished)", ms(wall))
            },
            spread: format!(
                "CPU {}; {got} codings committed; CPU per doubling of codings above: {growth} (n²) → ≈ {:.1} h extrapolated",
                ms(cpu),
                estimate / 3600.0
            ),
            peak: mb(rss),
            target: "— (report)".into(),
            peer: "—".into(),
            result: if finished { "info" } else { "info: pathologically slow (n²)" }.into(),
        });
    }
}
