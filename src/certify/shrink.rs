//! Greedy minimisation of a JSON payload, for counterexamples that are not proptest values
//! (the labelled negatives of `rejects-invalid`).
//!
//! Candidates are tried smallest change first: drop an object member, drop an array element,
//! empty a string, halve a string, zero a number. The first candidate that still fails is kept
//! and the search starts over from it, until no candidate fails or the budget is spent.

use std::time::{Duration, Instant};

use serde_json::Value;

/// Minimises `value` while `still_fails` holds; returns the smallest failing value found and
/// the number of candidates tried.
pub(crate) fn minimize(
    value: Value,
    steps: u32,
    time: Duration,
    still_fails: impl Fn(&Value) -> bool,
) -> (Value, u32) {
    let started = Instant::now();
    let mut current = value;
    let mut tried = 0;
    'outer: loop {
        for candidate in candidates(&current) {
            if tried >= steps || started.elapsed() >= time {
                break 'outer;
            }
            tried += 1;
            if still_fails(&candidate) {
                current = candidate;
                continue 'outer;
            }
        }
        break;
    }
    (current, tried)
}

/// Every one-step simplification of `root`, smallest change first.
fn candidates(root: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut paths = Vec::new();
    collect(root, &mut Vec::new(), &mut paths);
    // Drops first (they shrink the most), then in-place simplifications.
    for path in &paths {
        if let Some((last, parent)) = path.split_last() {
            let mut v = root.clone();
            if let Some(container) = walk(&mut v, parent) {
                let removed = match (container, last) {
                    (Value::Object(map), Step::Key(k)) => map.remove(k).is_some(),
                    (Value::Array(items), Step::Index(i)) if *i < items.len() => {
                        items.remove(*i);
                        true
                    }
                    _ => false,
                };
                if removed {
                    out.push(v);
                }
            }
        }
    }
    for path in &paths {
        let mut v = root.clone();
        let Some(node) = walk(&mut v, path) else {
            continue;
        };
        let simpler = match node {
            Value::String(s) if !s.is_empty() => {
                let half: String = s.chars().take(s.chars().count() / 2).collect();
                vec![Value::String(String::new()), Value::String(half)]
            }
            Value::Number(n) if n.as_f64() != Some(0.0) => vec![Value::from(0)],
            _ => Vec::new(),
        };
        for replacement in simpler {
            let mut w = root.clone();
            if let Some(slot) = walk(&mut w, path) {
                *slot = replacement;
                out.push(w);
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn collect(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                prefix.push(Step::Key(k.clone()));
                out.push(prefix.clone());
                collect(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            // Last first, so that removing one does not shift the others' indices.
            for (i, child) in items.iter().enumerate().rev() {
                prefix.push(Step::Index(i));
                out.push(prefix.clone());
                collect(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn walk<'v>(v: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    path.iter().try_fold(v, |node, step| match (node, step) {
        (Value::Object(map), Step::Key(k)) => map.get_mut(k),
        (Value::Array(items), Step::Index(i)) => items.get_mut(*i),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_only_what_the_failure_needs() {
        let start = json!({"a": {"b": 1, "c": [1, 2, 3]}, "bad": "xyz", "d": "long text"});
        let (min, tried) = minimize(start, 1000, Duration::from_secs(5), |v| {
            v.get("bad").is_some_and(Value::is_string)
        });
        assert_eq!(min, json!({"bad": ""}));
        assert!(tried > 0);
    }

    #[test]
    fn respects_the_step_budget() {
        let start = json!({"a": 1, "b": 2, "c": 3});
        let (min, tried) = minimize(start.clone(), 0, Duration::from_secs(5), |_| true);
        assert_eq!((min, tried), (start, 0));
    }
}
