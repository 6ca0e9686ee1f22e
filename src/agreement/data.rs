//! Reliability data: a units × coders matrix of nominal judgements.

use std::fmt;

/// Sentinel stored in [`Ratings`] for "this coder did not judge this unit".
pub const MISSING: u32 = u32::MAX;

/// Why a row or a raw matrix was rejected by [`Ratings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatingsError {
    /// A row had a different number of entries than there are coders.
    RowLength { expected: usize, got: usize },
    /// A judgement named a category `>= n_categories`.
    CategoryOutOfRange { category: u32, n_categories: u32 },
    /// A raw value vector whose length is not a multiple of `n_coders`.
    RawLength { len: usize, n_coders: usize },
}

impl fmt::Display for RatingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RatingsError::RowLength { expected, got } => {
                write!(f, "row has {got} entries but there are {expected} coders")
            }
            RatingsError::CategoryOutOfRange {
                category,
                n_categories,
            } => write!(
                f,
                "category {category} is out of range (n_categories = {n_categories})"
            ),
            RatingsError::RawLength { len, n_coders } => {
                write!(f, "{len} values is not a multiple of {n_coders} coders")
            }
        }
    }
}

impl std::error::Error for RatingsError {}

/// Units × coders matrix of nominal judgements, stored row-major as compact
/// `u32` category indices with [`MISSING`] marking a unit a coder did not judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ratings {
    n_units: usize,
    n_coders: usize,
    n_categories: u32,
    values: Vec<u32>,
}

impl Ratings {
    /// An empty matrix for `n_coders` coders judging into categories `0..n_categories`.
    pub fn new(n_coders: usize, n_categories: u32) -> Self {
        Ratings {
            n_units: 0,
            n_coders,
            n_categories,
            values: Vec::new(),
        }
    }

    /// Like [`Ratings::new`] with room reserved for `n_units` units.
    pub fn with_capacity(n_coders: usize, n_categories: u32, n_units: usize) -> Self {
        let mut r = Ratings::new(n_coders, n_categories);
        r.values.reserve(n_units.saturating_mul(n_coders));
        r
    }

    /// Builds a matrix from row-major raw values (`MISSING` = not judged).
    pub fn from_raw(
        n_coders: usize,
        n_categories: u32,
        values: Vec<u32>,
    ) -> Result<Self, RatingsError> {
        if n_coders == 0 && !values.is_empty()
            || n_coders > 0 && !values.len().is_multiple_of(n_coders)
        {
            return Err(RatingsError::RawLength {
                len: values.len(),
                n_coders,
            });
        }
        if let Some(&category) = values.iter().find(|&&v| v != MISSING && v >= n_categories) {
            return Err(RatingsError::CategoryOutOfRange {
                category,
                n_categories,
            });
        }
        let n_units = values.len().checked_div(n_coders).unwrap_or(0);
        Ok(Ratings {
            n_units,
            n_coders,
            n_categories,
            values,
        })
    }

    /// Appends one unit; `row[c]` is coder `c`'s judgement (`None` = missing).
    pub fn try_push_unit(&mut self, row: &[Option<u32>]) -> Result<(), RatingsError> {
        if row.len() != self.n_coders {
            return Err(RatingsError::RowLength {
                expected: self.n_coders,
                got: row.len(),
            });
        }
        if let Some(category) = row.iter().flatten().find(|&&v| v >= self.n_categories) {
            return Err(RatingsError::CategoryOutOfRange {
                category: *category,
                n_categories: self.n_categories,
            });
        }
        self.values.extend(row.iter().map(|v| v.unwrap_or(MISSING)));
        self.n_units += 1;
        Ok(())
    }

    /// Appends one unit.
    ///
    /// # Panics
    /// If `row.len() != n_coders` or a category is `>= n_categories`
    /// (use [`Ratings::try_push_unit`] to get an error instead).
    pub fn push_unit(&mut self, row: &[Option<u32>]) {
        if let Err(e) = self.try_push_unit(row) {
            panic!("Ratings::push_unit: {e}");
        }
    }

    /// Coder `coder`'s judgement of unit `unit` (`None` = missing).
    ///
    /// # Panics
    /// If `unit >= n_units` or `coder >= n_coders`.
    pub fn get(&self, unit: usize, coder: usize) -> Option<u32> {
        assert!(unit < self.n_units && coder < self.n_coders);
        let v = self.values[unit * self.n_coders + coder];
        (v != MISSING).then_some(v)
    }

    /// Raw row of a unit (`MISSING` = not judged).
    pub fn row(&self, unit: usize) -> &[u32] {
        &self.values[unit * self.n_coders..(unit + 1) * self.n_coders]
    }

    pub fn n_units(&self) -> usize {
        self.n_units
    }

    pub fn n_coders(&self) -> usize {
        self.n_coders
    }

    pub fn n_categories(&self) -> u32 {
        self.n_categories
    }

    /// All values, row-major (`MISSING` = not judged).
    pub fn raw_values(&self) -> &[u32] {
        &self.values
    }

    /// Removes all units, keeping shape and allocation.
    pub fn clear(&mut self) {
        self.values.clear();
        self.n_units = 0;
    }

    /// Appends a raw row copied from another matrix of the same shape (no validation
    /// beyond length; used by the bootstrap, whose rows come from a valid matrix).
    pub(crate) fn push_raw_row(&mut self, row: &[u32]) {
        debug_assert_eq!(row.len(), self.n_coders);
        self.values.extend_from_slice(row);
        self.n_units += 1;
    }

    /// The same units with the coders (columns) reordered: new coder `i` is old
    /// coder `order[i]`. `order` must be a permutation of `0..n_coders`.
    pub fn permute_coders(&self, order: &[usize]) -> Ratings {
        assert_eq!(order.len(), self.n_coders);
        let mut out = Ratings::with_capacity(self.n_coders, self.n_categories, self.n_units);
        for u in 0..self.n_units {
            let row = self.row(u);
            out.values.extend(order.iter().map(|&c| row[c]));
            out.n_units += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_get_and_errors() {
        let mut r = Ratings::new(3, 4);
        r.push_unit(&[Some(0), None, Some(3)]);
        assert_eq!(r.n_units(), 1);
        assert_eq!(r.get(0, 0), Some(0));
        assert_eq!(r.get(0, 1), None);
        assert_eq!(r.get(0, 2), Some(3));
        assert!(matches!(
            r.try_push_unit(&[Some(0), Some(4), None]),
            Err(RatingsError::CategoryOutOfRange { category: 4, .. })
        ));
        assert!(matches!(
            r.try_push_unit(&[Some(0)]),
            Err(RatingsError::RowLength { .. })
        ));
        assert_eq!(r.n_units(), 1);
        let raw = Ratings::from_raw(3, 4, vec![0, MISSING, 3]).unwrap();
        assert_eq!(raw, r);
        assert!(Ratings::from_raw(3, 4, vec![0, 1]).is_err());
        assert!(Ratings::from_raw(2, 4, vec![0, 9]).is_err());
    }

    #[test]
    fn permute() {
        let mut r = Ratings::new(3, 4);
        r.push_unit(&[Some(0), None, Some(3)]);
        let p = r.permute_coders(&[2, 0, 1]);
        assert_eq!(p.row(0), &[3, 0, MISSING]);
    }
}
