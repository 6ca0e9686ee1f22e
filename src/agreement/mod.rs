//! Inter-coder agreement mathematics for Thematic (pure: no I/O, no database).
//!
//! Categorical (nominal) coefficients over a units × coders [`Ratings`] matrix:
//! [`percent_agreement`], [`cohen_kappa`] / [`mean_pairwise_cohen`], [`fleiss_kappa`],
//! [`krippendorff_alpha_nominal`], [`gwet_ac1`], all at once via [`all_categorical`]
//! (one counting pass), plus [`bootstrap_ci`].
//!
//! Unitized coefficients over spans of a continuum (Krippendorff, Mathet, Bouvry &
//! Widlöcher 2016): [`u_alpha`], [`binary_u_alpha`], [`union_u_alpha`], [`cu_alpha`].
//!
//! Every coefficient returns a [`Value`]: a number, or `Undefined` with the reason.
//! Degenerate data never yields NaN, and never a silent 0 or 1.

mod bootstrap;
mod cohen;
pub mod consensus;
mod data;
pub mod done;
mod fleiss;
mod gwet;
pub mod icr;
mod krippendorff;
pub mod methods;
mod percent;
mod presence;
pub mod report;
pub mod report_meta;
pub mod review;
pub mod scope;
pub mod sentences;
mod summary;
mod tally;
mod unitized;
mod unitized_prep;
pub mod units;
mod value;

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod unitized_tests;

pub use bootstrap::{Interval, SplitMix64, bootstrap_ci, bootstrap_intervals};
pub use cohen::{cohen_kappa, mean_pairwise_cohen};
pub use data::{MISSING, Ratings, RatingsError};
pub use fleiss::fleiss_kappa;
pub use gwet::gwet_ac1;
pub use krippendorff::krippendorff_alpha_nominal;
pub use percent::percent_agreement;
pub use summary::{CategoricalSummary, PairSummary, all_categorical};
pub use unitized::{Span, binary_u_alpha, cu_alpha, u_alpha, union_u_alpha};
pub use value::Value;
