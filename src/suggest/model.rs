//! A trained suggestion model: the vocabulary, one linear model per code, a few coded excerpts
//! per code to explain suggestions by, and the cross-validated quality measured when it was
//! trained. Stored in the study file (`suggestion_models`), one per coder and unit kind.
//!
//! The model is derived data, like a search index: training is not a change to the study, so it
//! is not in the history and cannot be undone — training again replaces it.

use super::codec::{Reader, Writer};
use super::dataset::{Dataset, UnitKind};
use super::evaluation::{self, Evaluation};
use super::features::{SparseVec, Vectorizer};
use super::training::{self, Settings};
use crate::error::Result;
use crate::study::Coder;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// At most this many coded excerpts per code are kept to explain suggestions by ("like FG2
/// turn 14"): evenly spaced over the code's examples. With 200, listing a transcript of the
/// 1,000-document study took 121 ms (every unit × 30 codes compared with 200 excerpts); 60
/// keeps it within the 50 ms target (BENCHMARKS.md).
pub const EXEMPLARS_PER_CODE: usize = 60;

const MAGIC: &str = "thematic-suggest-2";

#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    pub document_id: i64,
    pub document: String,
    pub turn: u32,
    pub start: i64,
    pub end: i64,
    pub vector: SparseVec,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CodeModel {
    pub code_id: i64,
    /// Dense over the vocabulary (a dot product per unit is then one pass over its terms).
    pub weights: Vec<f32>,
    pub intercept: f64,
    /// Suggested when the probability is above this (tuned per code, see `Settings`).
    pub threshold: f64,
    pub exemplars: Vec<Exemplar>,
}

impl CodeModel {
    pub fn decision(&self, x: &SparseVec) -> f64 {
        x.idx
            .iter()
            .zip(&x.val)
            .map(|(&j, &v)| self.weights[j as usize] as f64 * v as f64)
            .sum::<f64>()
            + self.intercept
    }
}

/// What is known about a model without decoding it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub coder: String,
    pub coder_id: i64,
    /// Why this coder's codings were used (the default, or the option given).
    pub coder_note: String,
    pub unit: String,
    pub trained_at: String,
    pub documents: usize,
    pub units: usize,
    pub vocabulary: usize,
    pub sublinear_tf: bool,
    pub c: f64,
    pub tune_threshold: bool,
    /// The coder's codings when trained (see [`fingerprint`]); differs once they change.
    pub fingerprint: String,
    pub evaluation: Evaluation,
    pub train_seconds: f64,
}

impl ModelInfo {
    pub fn kind(&self) -> UnitKind {
        UnitKind::parse(&self.unit).unwrap_or(UnitKind::Turn)
    }

    pub fn quality(&self, code_id: i64) -> Option<&evaluation::CodeQuality> {
        self.evaluation.codes.iter().find(|q| q.code_id == code_id)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub info: ModelInfo,
    pub vectorizer: Vectorizer,
    pub codes: Vec<CodeModel>,
}

/// A cheap summary of a coder's codings: it changes when one is added, removed or moved.
pub fn fingerprint(conn: &Connection, coder_id: i64) -> Result<String> {
    let (n, max, sum): (i64, i64, f64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(max(id), 0),
                    total(start * 7 + \"end\" * 13 + code_id * 31 + document_id * 37)
               FROM codings WHERE coder_id = ?1",
        )?
        .query_row([coder_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(format!("{n}:{max}:{sum}"))
}

/// Evaluates, then trains on every unit, and returns the model (not yet stored).
pub fn train(
    conn: &Connection,
    coder: &Coder,
    coder_note: &str,
    kind: UnitKind,
    settings: Settings,
    now: &str,
    max_units: usize,
) -> Result<Model> {
    let started = std::time::Instant::now();
    let mut data = Dataset::load(conn, coder, kind)?;
    let sample_note = data.sample(max_units);
    let mut evaluation = evaluation::evaluate(&data, settings)?;
    evaluation.sample_note = sample_note;
    let codes = evaluation::eligible(&data);
    let texts: Vec<&str> = data.units.iter().map(|u| u.text.as_str()).collect();
    let docs: Vec<usize> = data.units.iter().map(|u| u.doc).collect();
    // Thresholds come from the evaluation's out-of-fold probabilities rather than another
    // round of inner cross-validation.
    let plain = Settings {
        tune_threshold: false,
        ..settings
    };
    let mut fit = training::fit(&texts, &data.labels, &docs, &codes, plain);
    if settings.tune_threshold {
        for (c, &k) in codes.iter().enumerate() {
            let truth: Vec<bool> = data
                .labels
                .iter()
                .map(|l| l.binary_search(&k).is_ok())
                .collect();
            fit.thresholds[c] = training::best_threshold(&evaluation.out_of_fold[c], &truth);
        }
    }
    let mut code_models = Vec::with_capacity(codes.len());
    for ((&k, m), &threshold) in codes.iter().zip(&fit.models).zip(&fit.thresholds) {
        let positives: Vec<usize> = (0..data.units.len())
            .filter(|&i| data.labels[i].binary_search(&k).is_ok())
            .collect();
        let step = positives.len().div_ceil(EXEMPLARS_PER_CODE).max(1);
        let exemplars = positives
            .iter()
            .step_by(step)
            .map(|&i| {
                let u = &data.units[i];
                Exemplar {
                    document_id: data.docs[u.doc].id,
                    document: data.docs[u.doc].name.clone(),
                    turn: u.turn as u32,
                    start: u.start,
                    end: u.end,
                    vector: fit.vectors[i].clone(),
                }
            })
            .collect();
        code_models.push(CodeModel {
            code_id: data.codes[k as usize].0,
            weights: m.weights.iter().map(|&w| w as f32).collect(),
            intercept: m.intercept,
            threshold,
            exemplars,
        });
    }
    Ok(Model {
        info: ModelInfo {
            coder: coder.name.clone(),
            coder_id: coder.id,
            coder_note: coder_note.to_string(),
            unit: kind.name().into(),
            trained_at: now.to_string(),
            documents: data.docs.len(),
            units: data.units.len(),
            vocabulary: fit.vectorizer.len(),
            sublinear_tf: settings.sublinear_tf,
            c: settings.c,
            tune_threshold: settings.tune_threshold,
            fingerprint: fingerprint(conn, coder.id)?,
            evaluation,
            train_seconds: started.elapsed().as_secs_f64(),
        },
        vectorizer: fit.vectorizer,
        codes: code_models,
    })
}

fn encode_vec(w: &mut Writer, v: &SparseVec) {
    w.u32(v.idx.len() as u32);
    for (&j, &x) in v.idx.iter().zip(&v.val) {
        w.u32(j);
        w.f32(x);
    }
}

fn decode_vec(r: &mut Reader, dim: usize) -> Result<SparseVec> {
    let n = r.count(8)?;
    let mut v = SparseVec {
        idx: Vec::with_capacity(n),
        val: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let j = r.u32()?;
        if j as usize >= dim {
            return Err(crate::invalid!(
                "the stored suggestion model is damaged (a feature index is out of range); run `thematic suggest train` again"
            ));
        }
        v.idx.push(j);
        v.val.push(r.f32()?);
    }
    Ok(v)
}

impl Model {
    /// The model as bytes: weights are stored sparsely (a word no training unit had keeps 0).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.str(MAGIC);
        w.u32(self.vectorizer.len() as u32);
        for (t, &idf) in self.vectorizer.terms.iter().zip(&self.vectorizer.idf) {
            w.str(t);
            w.f32(idf);
        }
        w.u32(self.codes.len() as u32);
        for c in &self.codes {
            w.i64(c.code_id);
            w.f64(c.intercept);
            w.f64(c.threshold);
            let nz: Vec<(usize, f32)> = c
                .weights
                .iter()
                .enumerate()
                .filter(|(_, w)| **w != 0.0)
                .map(|(j, w)| (j, *w))
                .collect();
            w.u32(nz.len() as u32);
            for (j, x) in nz {
                w.u32(j as u32);
                w.f32(x);
            }
            w.u32(c.exemplars.len() as u32);
            for e in &c.exemplars {
                w.i64(e.document_id);
                w.str(&e.document);
                w.u32(e.turn);
                w.i64(e.start);
                w.i64(e.end);
                encode_vec(&mut w, &e.vector);
            }
        }
        w.bytes
    }

    pub fn decode(info: ModelInfo, bytes: &[u8]) -> Result<Model> {
        let mut r = Reader::new(bytes);
        if r.str()? != MAGIC {
            return Err(crate::invalid!(
                "the stored suggestion model was written by another version; run `thematic suggest train` again"
            ));
        }
        let n = r.count(8)?;
        let (mut terms, mut idf) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            terms.push(r.str()?);
            idf.push(r.f32()?);
        }
        let vectorizer = Vectorizer::from_parts(terms, idf, info.sublinear_tf);
        let n_codes = r.count(16)?;
        let mut codes = Vec::with_capacity(n_codes);
        for _ in 0..n_codes {
            let code_id = r.i64()?;
            let intercept = r.f64()?;
            let threshold = r.f64()?;
            let sparse = decode_vec(&mut r, n)?;
            let mut weights = vec![0.0f32; n];
            for (&j, &x) in sparse.idx.iter().zip(&sparse.val) {
                weights[j as usize] = x;
            }
            let n_ex = r.count(32)?;
            let mut exemplars = Vec::with_capacity(n_ex);
            for _ in 0..n_ex {
                exemplars.push(Exemplar {
                    document_id: r.i64()?,
                    document: r.str()?,
                    turn: r.u32()?,
                    start: r.i64()?,
                    end: r.i64()?,
                    vector: decode_vec(&mut r, n)?,
                });
            }
            codes.push(CodeModel {
                code_id,
                weights,
                intercept,
                threshold,
                exemplars,
            });
        }
        r.finish()?;
        Ok(Model {
            info,
            vectorizer,
            codes,
        })
    }

    /// Stores the model in one transaction, replacing the coder's earlier one for this unit.
    pub fn store(&self, conn: &Connection) -> Result<i64> {
        let info = serde_json::to_string(&self.info)
            .map_err(|e| crate::invalid!("internal: model summary: {e}"))?;
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM suggestion_models WHERE coder_id = ?1 AND unit = ?2",
            params![self.info.coder_id, self.info.unit],
        )?;
        tx.execute(
            "INSERT INTO suggestion_models (coder_id, unit, trained_at, info, model) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                self.info.coder_id,
                self.info.unit,
                self.info.trained_at,
                info,
                self.encode()
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }
}

fn parse_info(s: &str) -> Result<ModelInfo> {
    serde_json::from_str(s).map_err(|e| {
        crate::invalid!(
            "the stored suggestion model's summary is damaged ({e}); run `thematic suggest train` again"
        )
    })
}

/// The most recently trained model's summary (for one unit kind, if given).
pub fn latest_info(conn: &Connection, kind: Option<UnitKind>) -> Result<Option<(i64, ModelInfo)>> {
    let row: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, info FROM suggestion_models WHERE ?1 IS NULL OR unit = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([kind.map(|k| k.name())], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(id, s)| Ok((id, parse_info(&s)?))).transpose()
}

/// The most recently trained model, decoded.
pub fn latest(conn: &Connection, kind: Option<UnitKind>) -> Result<Option<Model>> {
    let Some((id, info)) = latest_info(conn, kind)? else {
        return Ok(None);
    };
    let bytes: Vec<u8> = conn
        .prepare_cached("SELECT model FROM suggestion_models WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    Model::decode(info, &bytes).map(Some)
}

/// Whether the coder's codings changed since the model was trained.
pub fn is_stale(conn: &Connection, info: &ModelInfo) -> Result<bool> {
    Ok(fingerprint(conn, info.coder_id)? != info.fingerprint)
}
