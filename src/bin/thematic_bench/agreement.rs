//! Agreement rows: all coefficients in memory and `thematic agreement` end to end, against
//! the Python peers on the same data.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use thematic::Study;
use thematic::agreement::{MISSING, Ratings, SplitMix64, all_categorical};

use crate::Bench;
use crate::util::*;

/// The 1M × 3, 10-category ratings of `agreement_bench` (same generator and seed).
pub(crate) fn ratings_1m() -> Ratings {
    const UNITS: usize = 1_000_000;
    let mut g = SplitMix64::new(20240601);
    let mut values = Vec::with_capacity(UNITS * 3);
    for _ in 0..UNITS {
        let truth = g.below(10) as u32;
        for _ in 0..3 {
            let v = if g.below(100) < 5 {
                MISSING
            } else if g.below(100) < 70 {
                truth
            } else {
                g.below(10) as u32
            };
            values.push(v);
        }
    }
    Ratings::from_raw(3, 10, values).expect("valid ratings")
}

impl Bench {
    pub(crate) fn agreement_rows(&mut self) {
        eprintln!("agreement: generating the 1M-character study…");
        let (agr, _, _, text) = self.gen_study(
            "agreement.thematic",
            &[
                "--docs",
                "20",
                "--turns-per-doc",
                "256",
                "--coders",
                "3",
                "--codings",
                "30000",
                "--codes",
                "10",
                "--seed",
                "2",
            ],
        );
        let chars = text
            .split(", ")
            .find(|p| p.ends_with(" characters"))
            .and_then(|p| p.split_whitespace().next())
            .unwrap_or("?")
            .to_string();

        // The peers first, on the 1M × 3 × 10 ratings.
        let ratings = ratings_1m();
        let data = self.work.join("ratings.u32");
        let raw: Vec<u8> = ratings
            .raw_values()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        std::fs::write(&data, raw).expect("write ratings");
        let mut peer_alpha: Option<f64> = None;
        let mut peer_sklearn: Option<f64> = None;
        if let Some(py) = self.python.clone() {
            eprintln!("agreement: timing the Python peers…");
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench_peers.py");
            let mut c = Command::new(py);
            c.arg(script).arg(&data).arg("3");
            let (_, _, text) = run_child(&mut c, &self.out());
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(text.trim()) {
                peer_alpha = v["krippendorff_alpha"]["median"].as_f64();
                peer_sklearn = v["sklearn_cohen_pairs"]["median"].as_f64();
                let peer_label = format!(
                    "krippendorff {}, scikit-learn {}",
                    v["krippendorff_version"].as_str().unwrap_or("?"),
                    v["sklearn_version"].as_str().unwrap_or("?")
                );
                self.notes.push(format!(
                    "Peers ({peer_label}): krippendorff.alpha = {}, sklearn kappas = {}.",
                    v["krippendorff_alpha"]["value"], v["sklearn_cohen_pairs"]["value"]
                ));
            }
        } else {
            self.notes
                .push("No Python peer (pass --python or run scripts/bench).".into());
        }

        eprintln!("agreement: all_categorical in process…");
        let runs = 5;
        let mut times = Vec::new();
        let mut summary = None;
        for _ in 0..runs {
            let t = Instant::now();
            summary = Some(all_categorical(&ratings));
            times.push(t.elapsed().as_secs_f64());
        }
        let s = stats(&times);
        if let Some(sum) = summary {
            self.notes.push(format!(
                "all_categorical: alpha {:?}, Fleiss {:?}, AC1 {:?}, mean Cohen {:?}.",
                sum.krippendorff_alpha, sum.fleiss_kappa, sum.gwet_ac1, sum.cohen_kappa_mean
            ));
        }
        let (peer, ratio, result) = match peer_alpha {
            Some(p) => {
                let ratio = p / s.median;
                (
                    format!("krippendorff.alpha {}", ms(p)),
                    ratio,
                    if ratio >= 20.0 { "met" } else { "MISSED" },
                )
            }
            None => (String::from("—"), f64::NAN, "no peer"),
        };
        self.rows.push(Row {
            name: "`all_categorical` (% agreement, mean Cohen κ, Fleiss κ, Krippendorff α, Gwet AC1) on 1M units × 3 coders × 10 categories".into(),
            runs,
            median: ms(s.median),
            spread: format!("{} – {}", ms(s.min), ms(s.max)),
            peak: "—".into(),
            target: "≥ 20× faster than krippendorff.alpha alone".into(),
            peer: format!("{peer} ({ratio:.0}× faster)"),
            result: result.into(),
        });
        if let Some(p) = peer_sklearn {
            self.rows.push(Row {
                name: "  same data: scikit-learn cohen_kappa_score over the 3 pairs (peer only)"
                    .into(),
                runs: 3,
                median: ms(p),
                spread: "—".into(),
                peak: "—".into(),
                target: "—".into(),
                peer: format!("all_categorical is {:.0}× faster", p / s.median),
                result: "info".into(),
            });
        }

        // The whole command, reading the study file.
        let codes_list = {
            let study = Study::open(&agr).expect("open agreement study");
            thematic::codebook::all(study.conn())
                .expect("codes")
                .into_iter()
                .filter(|c| c.depth > 0)
                .map(|c| c.path)
                .collect::<Vec<_>>()
                .join(",")
        };
        for (label, extra) in [
            ("per code (10 binary codes)", vec![]),
            (
                "per code + the 10 codes as one categorical set",
                vec!["--codes".to_string(), codes_list.clone()],
            ),
        ] {
            eprintln!("agreement: `thematic agreement --unit char` {label}…");
            let runs = 3;
            let (mut walls, mut peak) = (Vec::new(), 0);
            for _ in 0..runs {
                let mut c = self.thematic(&agr);
                c.args(["agreement", "--unit", "char", "--format", "json"])
                    .args(&extra);
                let (wall, rss, _) = run_child(&mut c, &self.out());
                walls.push(wall);
                peak = peak.max(rss);
            }
            let s = stats(&walls);
            let (peer, result) = match peer_alpha {
                Some(p) => (
                    format!("krippendorff.alpha {} ({:.1}×)", ms(p), p / s.median),
                    if s.median <= p { "met" } else { "MISSED" },
                ),
                None => ("—".into(), "no peer"),
            };
            self.rows.push(Row {
                name: format!(
                    "`thematic agreement --unit char` end to end, {chars} characters × 3 coders, {label}"
                ),
                runs,
                median: ms(s.median),
                spread: format!("{} – {}", ms(s.min), ms(s.max)),
                peak: mb(peak),
                target: "no slower than krippendorff.alpha alone".into(),
                peer,
                result: result.into(),
            });
        }
    }
}
