//! Binary logistic regression with an L2 penalty over sparse rows, fitted by L-BFGS: the model
//! scikit-learn's `LogisticRegression(C=1, class_weight='balanced')` fits (lbfgs, intercept not
//! penalised, tolerance 1e-4, at most 100 iterations).
//!
//! Why not a crate: `linfa-logistic` and `smartcore` take dense matrices only, and a study's
//! TF-IDF matrix is units × vocabulary (100,000 turns × 200,000 words and pairs at the scale
//! target) with a few dozen non-zeros per row; densifying it is out of the question. The sparse
//! objective and its gradient are a dozen lines; L-BFGS is the textbook two-loop recursion.

use super::features::SparseVec;

/// Training rows in compressed form, shared by every code's model.
pub struct Rows<'a> {
    pub rows: &'a [SparseVec],
    pub dim: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub weights: Vec<f64>,
    pub intercept: f64,
    pub iterations: usize,
}

impl Fitted {
    pub fn decision(&self, x: &SparseVec) -> f64 {
        x.dot(&self.weights) + self.intercept
    }

    pub fn probability(&self, x: &SparseVec) -> f64 {
        sigmoid(self.decision(x))
    }
}

pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// ln(1 + e^(-m)), stable for large |m|.
fn log_loss(m: f64) -> f64 {
    if m > 0.0 {
        (-m).exp().ln_1p()
    } else {
        -m + m.exp().ln_1p()
    }
}

pub struct Options {
    pub c: f64,
    pub max_iter: usize,
    pub tol: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            c: 1.0,
            max_iter: 100,
            tol: 1e-4,
        }
    }
}

/// Fits one code's model; `labels[i]` says whether row i has the code. Classes are weighted
/// n / (2 · n_class) ("balanced"), so a rare code is not drowned by the units without it.
pub fn fit(data: &Rows, labels: &[bool], opts: &Options) -> Fitted {
    let n = labels.len();
    let pos = labels.iter().filter(|&&l| l).count();
    let neg = n - pos;
    let d = data.dim;
    if pos == 0 || neg == 0 {
        // One class only: a constant model (never reached for codes with examples).
        return Fitted {
            weights: vec![0.0; d],
            intercept: if pos == 0 { -10.0 } else { 10.0 },
            iterations: 0,
        };
    }
    let w_pos = n as f64 / (2.0 * pos as f64) * opts.c;
    let w_neg = n as f64 / (2.0 * neg as f64) * opts.c;
    let sample: Vec<f64> = labels
        .iter()
        .map(|&l| if l { w_pos } else { w_neg })
        .collect();
    let sign: Vec<f64> = labels.iter().map(|&l| if l { 1.0 } else { -1.0 }).collect();

    // Parameters: d weights, then the intercept.
    let objective = |theta: &[f64], grad: &mut [f64]| -> f64 {
        let (w, b) = (&theta[..d], theta[d]);
        let mut f = 0.5 * w.iter().map(|x| x * x).sum::<f64>();
        grad[..d].copy_from_slice(w);
        grad[d] = 0.0;
        for (i, x) in data.rows.iter().enumerate() {
            let m = sign[i] * (x.dot(w) + b);
            f += sample[i] * log_loss(m);
            // d/dz of s · ln(1 + e^(-y z)) = -s · y · σ(-y z)
            let g = -sample[i] * sign[i] * sigmoid(-m);
            for (&j, &v) in x.idx.iter().zip(&x.val) {
                grad[j as usize] += g * v as f64;
            }
            grad[d] += g;
        }
        f
    };
    let (theta, iterations) = lbfgs(d + 1, objective, opts);
    Fitted {
        intercept: theta[d],
        weights: theta[..d].to_vec(),
        iterations,
    }
}

/// Minimises a smooth convex function from zero by L-BFGS (memory 10) with a backtracking
/// (Armijo) line search; stops when the largest gradient component is below `tol`.
fn lbfgs(
    dim: usize,
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    opts: &Options,
) -> (Vec<f64>, usize) {
    const M: usize = 10;
    let mut x = vec![0.0; dim];
    let mut g = vec![0.0; dim];
    let mut fx = f(&x, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    let mut x_new = vec![0.0; dim];
    let mut g_new = vec![0.0; dim];
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
    let mut iter = 0;
    while iter < opts.max_iter {
        if g.iter().fold(0.0f64, |m, v| m.max(v.abs())) < opts.tol {
            break;
        }
        iter += 1;
        // Two-loop recursion: direction = -H g.
        let mut q = g.clone();
        let k = s_hist.len();
        let mut alpha = vec![0.0; k];
        for i in (0..k).rev() {
            alpha[i] = rho[i] * dot(&s_hist[i], &q);
            for (qj, yj) in q.iter_mut().zip(&y_hist[i]) {
                *qj -= alpha[i] * yj;
            }
        }
        let gamma = if k > 0 {
            dot(&s_hist[k - 1], &y_hist[k - 1]) / dot(&y_hist[k - 1], &y_hist[k - 1])
        } else {
            1.0 / dot(&g, &g).sqrt().max(1e-12)
        };
        for qj in q.iter_mut() {
            *qj *= gamma;
        }
        for i in 0..k {
            let beta = rho[i] * dot(&y_hist[i], &q);
            for (qj, sj) in q.iter_mut().zip(&s_hist[i]) {
                *qj += (alpha[i] - beta) * sj;
            }
        }
        let dir: Vec<f64> = q.iter().map(|v| -v).collect();
        let slope = dot(&g, &dir);
        if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            continue;
        }
        let mut step = 1.0;
        let mut f_new;
        loop {
            for j in 0..dim {
                x_new[j] = x[j] + step * dir[j];
            }
            f_new = f(&x_new, &mut g_new);
            if f_new <= fx + 1e-4 * step * slope || step < 1e-10 {
                break;
            }
            step *= 0.5;
        }
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        let improved = fx - f_new;
        fx = f_new;
        if sy > 1e-12 {
            if s_hist.len() == M {
                s_hist.remove(0);
                y_hist.remove(0);
                rho.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
            rho.push(1.0 / sy);
        }
        if improved.abs() <= 1e-12 * fx.abs().max(1.0) {
            break;
        }
    }
    (x, iter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(u32, f32)]) -> SparseVec {
        SparseVec {
            idx: pairs.iter().map(|p| p.0).collect(),
            val: pairs.iter().map(|p| p.1).collect(),
        }
    }

    #[test]
    fn fits_the_optimum_of_a_one_feature_problem() {
        // x = 1 for two positives, x = 0 for two negatives (balanced weights are 1, C = 1):
        // checked by the optimum's stationarity conditions rather than by a copied number.
        let rows = vec![row(&[(0, 1.0)]), row(&[(0, 1.0)]), row(&[]), row(&[])];
        let labels = [true, true, false, false];
        let m = fit(
            &Rows {
                rows: &rows,
                dim: 1,
            },
            &labels,
            &Options {
                tol: 1e-10,
                max_iter: 500,
                ..Options::default()
            },
        );
        let (w, b) = (m.weights[0], m.intercept);
        // ∂/∂b: -2σ(-(w+b)) + 2σ(b) = 0, so b = -(w+b), i.e. w = -2b.
        assert!((w + 2.0 * b).abs() < 1e-6, "w {w} b {b}");
        // ∂/∂w: w - 2σ(-(w+b)) = 0.
        assert!((w - 2.0 * sigmoid(-(w + b))).abs() < 1e-6, "w {w} b {b}");
        assert!(m.probability(&rows[0]) > 0.5 && m.probability(&rows[2]) < 0.5);
    }

    #[test]
    fn matches_sklearn_on_a_small_problem() {
        // LogisticRegression(class_weight='balanced', tol=1e-10, max_iter=1000).fit(X, y) with
        // X = [[1,0],[1,1],[0,1],[0,0],[0,1]], y = [1,1,0,0,0] gives
        // coef_ = [[0.95211038, -0.12407853]], intercept_ = [-0.40364561]
        // (scikit-learn 1.9.1 in a scratch venv).
        let rows = vec![
            row(&[(0, 1.0)]),
            row(&[(0, 1.0), (1, 1.0)]),
            row(&[(1, 1.0)]),
            row(&[]),
            row(&[(1, 1.0)]),
        ];
        let labels = [true, true, false, false, false];
        let m = fit(
            &Rows {
                rows: &rows,
                dim: 2,
            },
            &labels,
            &Options {
                tol: 1e-10,
                max_iter: 500,
                ..Options::default()
            },
        );
        let got = [m.weights[0], m.weights[1], m.intercept];
        let want = [0.95211038, -0.12407853, -0.40364561];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-5, "{got:?} vs {want:?}");
        }
    }
}
