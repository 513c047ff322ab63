//! `const` and `enum`: a finite list of candidate values.
//!
//! Both keywords narrow an alternative to listed values; several of them intersect. The final list
//! is filtered against every other constraint of the alternative when the plan is compiled
//! (with the alternative's own checkers), so generating is picking an index. Equality is JSON
//! equality: `1` and `1.0` are the same number, object key order does not matter.

use serde_json::Value;

/// Candidate values gathered from `const`/`enum` keywords.
#[derive(Debug, Clone, Default)]
pub(crate) struct Candidates {
    values: Option<Vec<Value>>,
    /// The keyword that contributed last (`const` wins when both appear).
    pub keyword: Option<&'static str>,
}

impl Candidates {
    /// Applies `const` (one value) or `enum` (a list).
    pub(crate) fn apply(&mut self, keyword: &'static str, value: &Value) {
        let list: Vec<Value> = match keyword {
            "const" => vec![value.clone()],
            _ => match value {
                Value::Array(items) => items.clone(),
                _ => return,
            },
        };
        self.values = Some(match self.values.take() {
            None => dedup(list),
            Some(old) => old
                .into_iter()
                .filter(|v| list.iter().any(|w| json_eq(v, w)))
                .collect(),
        });
        if self.keyword != Some("const") {
            self.keyword = Some(keyword);
        }
    }

    /// The list, if any keyword gave one.
    pub(crate) fn into_values(self) -> Option<Vec<Value>> {
        self.values
    }
}

fn dedup(list: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(list.len());
    for v in list {
        if !out.iter().any(|w| json_eq(w, &v)) {
            out.push(v);
        }
    }
    out
}

/// JSON equality: numbers by value, objects regardless of key order.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// A value close to `v` but different from every value in `list` (for `enum`/`const`
/// negatives): a string with a suffix, a number plus one, `null` swapped for `false`, ...
pub(crate) fn outside(list: &[Value], near: &Value) -> Option<Value> {
    let mut candidates: Vec<Value> = match near {
        Value::String(s) => vec![
            Value::from(format!("{s}_x")),
            Value::from(format!("not-{s}")),
            Value::from(""),
        ],
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            let next = n.as_i64().map_or_else(
                || Value::from(f + 1.0),
                |i| Value::from(i.saturating_add(1)),
            );
            vec![next, Value::from(-1), Value::from(0)]
        }
        Value::Bool(b) => vec![Value::Bool(!b)],
        Value::Null => vec![Value::Bool(false), Value::from("null")],
        Value::Array(items) => {
            let mut longer = items.clone();
            longer.push(Value::Null);
            vec![Value::Array(longer), Value::Array(Vec::new())]
        }
        Value::Object(map) => {
            let mut more = map.clone();
            more.insert("unexpected".into(), Value::Null);
            vec![Value::Object(more), Value::Object(serde_json::Map::new())]
        }
    };
    candidates.push(Value::from("not in the list"));
    candidates
        .into_iter()
        .find(|c| !list.iter().any(|v| json_eq(v, c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn enums_intersect() {
        let mut c = Candidates::default();
        c.apply("enum", &json!([1, "a", null, {"x": 1}]));
        c.apply("enum", &json!([1.0, {"x": 1}, "b"]));
        assert_eq!(c.keyword, Some("enum"));
        assert_eq!(c.into_values().unwrap(), vec![json!(1), json!({"x": 1})]);
    }

    #[test]
    fn const_narrows_enum() {
        let mut c = Candidates::default();
        c.apply("enum", &json!(["a", "b"]));
        c.apply("const", &json!("b"));
        assert_eq!(c.keyword, Some("const"));
        assert_eq!(c.into_values().unwrap(), vec![json!("b")]);
    }

    #[test]
    fn equality_is_json_equality() {
        assert!(json_eq(&json!(1), &json!(1.0)));
        assert!(json_eq(&json!({"a": [1, 2]}), &json!({"a": [1.0, 2]})));
        assert!(!json_eq(&json!([1, 2]), &json!([2, 1])));
        assert!(!json_eq(&json!(false), &json!(0)));
    }

    #[test]
    fn outside_avoids_the_list() {
        let list = vec![json!("a"), json!("a_x")];
        let v = outside(&list, &json!("a")).unwrap();
        assert!(!list.iter().any(|w| json_eq(w, &v)));
        let nums = vec![json!(1), json!(2)];
        assert_eq!(outside(&nums, &json!(1)), Some(json!(-1)));
    }
}
