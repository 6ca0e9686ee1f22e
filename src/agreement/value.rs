//! The result type of every coefficient.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// A coefficient's value, or the reason it is not defined for the data.
///
/// Serialises as a bare JSON number when defined and as
/// `{"undefined": "<reason>"}` when not.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Defined(f64),
    Undefined(String),
}

impl Value {
    /// `Some(x)` when defined.
    pub fn as_option(&self) -> Option<f64> {
        match self {
            Value::Defined(x) => Some(*x),
            Value::Undefined(_) => None,
        }
    }

    pub fn is_defined(&self) -> bool {
        matches!(self, Value::Defined(_))
    }

    /// The reason, when undefined.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Value::Defined(_) => None,
            Value::Undefined(r) => Some(r),
        }
    }

    pub(crate) fn undefined(reason: impl Into<String>) -> Value {
        Value::Undefined(reason.into())
    }

    /// Wraps a computed number; a non-finite result (which the formulas are written
    /// to avoid) is reported as undefined rather than leaked as NaN/inf.
    pub(crate) fn from_f64(x: f64) -> Value {
        if x.is_finite() {
            Value::Defined(x)
        } else {
            Value::undefined("numerically undefined (non-finite result)")
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Defined(x) => s.serialize_f64(*x),
            Value::Undefined(reason) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("undefined", reason)?;
                m.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_shape() {
        assert_eq!(serde_json::to_string(&Value::Defined(0.5)).unwrap(), "0.5");
        assert_eq!(
            serde_json::to_string(&Value::undefined("why")).unwrap(),
            r#"{"undefined":"why"}"#
        );
        assert_eq!(Value::Defined(0.5).as_option(), Some(0.5));
        assert_eq!(Value::undefined("x").as_option(), None);
        assert!(!Value::from_f64(f64::NAN).is_defined());
    }
}
