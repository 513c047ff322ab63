//! `type`: the set of JSON types an alternative may produce.
//!
//! `integer` is a subset of `number`, so the set keeps two bits: `INT` (integral numbers) and
//! `NUM` (non-integral numbers). `"type": "number"` is `INT | NUM`, `"type": "integer"` is
//! `INT`, and intersecting them gives `INT` as it should.

use serde_json::Value;

/// A set of JSON types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TypeSet(u8);

/// One JSON type as the generator picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Boolean,
    /// Integral numbers only.
    Integer,
    /// Any number (the generator still prefers integral ones).
    Number,
    String,
    Array,
    Object,
}

impl TypeSet {
    pub(crate) const NULL: Self = Self(1);
    pub(crate) const BOOL: Self = Self(2);
    pub(crate) const INT: Self = Self(4);
    pub(crate) const NUM: Self = Self(8);
    pub(crate) const STR: Self = Self(16);
    pub(crate) const ARR: Self = Self(32);
    pub(crate) const OBJ: Self = Self(64);
    pub(crate) const ALL: Self = Self(127);
    pub(crate) const EMPTY: Self = Self(0);

    /// Kinds in the order the generator prefers them (simplest first).
    pub(crate) const ORDER: [Kind; 7] = [
        Kind::Null,
        Kind::Boolean,
        Kind::Integer,
        Kind::Number,
        Kind::String,
        Kind::Array,
        Kind::Object,
    ];

    /// The set named by a `type` keyword value; `None` if it is malformed.
    pub(crate) fn from_keyword(value: &Value) -> Option<Self> {
        match value {
            Value::String(s) => Self::from_name(s),
            Value::Array(names) => names.iter().try_fold(Self::EMPTY, |acc, n| {
                Some(acc.union(Self::from_name(n.as_str()?)?))
            }),
            _ => None,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "null" => Self::NULL,
            "boolean" => Self::BOOL,
            "integer" => Self::INT,
            "number" => Self(Self::INT.0 | Self::NUM.0),
            "string" => Self::STR,
            "array" => Self::ARR,
            "object" => Self::OBJ,
            _ => return None,
        })
    }

    /// The set of the type of `value` (an integral number is in `INT`).
    pub(crate) fn of(value: &Value) -> Self {
        match value {
            Value::Null => Self::NULL,
            Value::Bool(_) => Self::BOOL,
            Value::Number(n) => {
                if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                    Self::INT
                } else {
                    Self::NUM
                }
            }
            Value::String(_) => Self::STR,
            Value::Array(_) => Self::ARR,
            Value::Object(_) => Self::OBJ,
        }
    }

    pub(crate) fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub(crate) fn intersect(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    pub(crate) fn minus(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    pub(crate) fn contains(self, other: Self) -> bool {
        other.0 != 0 && self.0 & other.0 == other.0
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether values of `kind` may be generated. `Number` means non-integral numbers are
    /// allowed; `Integer` is listed only when they are not (so integers are not offered twice).
    pub(crate) fn allows(self, kind: Kind) -> bool {
        match kind {
            Kind::Null => self.contains(Self::NULL),
            Kind::Boolean => self.contains(Self::BOOL),
            Kind::Integer => self.contains(Self::INT) && !self.contains(Self::NUM),
            Kind::Number => self.contains(Self::NUM),
            Kind::String => self.contains(Self::STR),
            Kind::Array => self.contains(Self::ARR),
            Kind::Object => self.contains(Self::OBJ),
        }
    }

    /// A value of a type outside this set (for wrong-type negatives), simplest first.
    pub(crate) fn outsider(self) -> Option<Value> {
        let candidates = [
            (Self::STR, Value::from("wrong type")),
            (Self::INT, Value::from(7)),
            (Self::NULL, Value::Null),
            (Self::BOOL, Value::Bool(true)),
            (Self::OBJ, Value::Object(serde_json::Map::new())),
            (Self::ARR, Value::Array(Vec::new())),
            (Self::NUM, Value::from(0.5)),
        ];
        candidates
            .into_iter()
            .find(|(t, _)| !self.contains(*t))
            .map(|(_, v)| v)
    }
}

/// Index of `kind` in [`TypeSet::ORDER`].
pub(crate) fn kind_index(kind: Kind) -> usize {
    TypeSet::ORDER.iter().position(|k| *k == kind).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn number_and_integer_intersect_to_integer() {
        let n = TypeSet::from_keyword(&json!("number")).unwrap();
        let i = TypeSet::from_keyword(&json!("integer")).unwrap();
        assert_eq!(n.intersect(i), TypeSet::INT);
        assert!(n.allows(Kind::Number));
        assert!(!n.allows(Kind::Integer));
        assert!(i.allows(Kind::Integer));
    }

    #[test]
    fn arrays_of_names_union() {
        let t = TypeSet::from_keyword(&json!(["string", "null"])).unwrap();
        assert!(t.allows(Kind::String) && t.allows(Kind::Null));
        assert!(!t.allows(Kind::Object));
        assert!(TypeSet::from_keyword(&json!(["string", 3])).is_none());
        assert!(TypeSet::from_keyword(&json!("text")).is_none());
    }

    #[test]
    fn type_of_values() {
        assert_eq!(TypeSet::of(&json!(1.0)), TypeSet::INT);
        assert_eq!(TypeSet::of(&json!(1.5)), TypeSet::NUM);
        assert_eq!(TypeSet::of(&json!("x")), TypeSet::STR);
    }

    #[test]
    fn outsider_is_outside() {
        for t in [TypeSet::STR, TypeSet::ALL.minus(TypeSet::STR), TypeSet::INT] {
            let v = t.outsider().unwrap();
            assert!(!t.contains(TypeSet::of(&v)), "{v}");
        }
        assert!(TypeSet::ALL.outsider().is_none());
    }
}
