//! Coverage items of one event schema, and the plan that finds them in a payload.
//!
//! [`Plan::new`] walks a self-contained schema (a catalog entry's [bundle]) once, following
//! its local `$ref`s, and lists an [`Item`] for every place a payload can take one of several
//! documented shapes:
//!
//! | item | covered by a payload where |
//! | --- | --- |
//! | `enum` value | the value at the pointer is that value |
//! | nullable field (`type` with `null` and another type) | the value is null; is not null |
//! | optional property (not in `required`) | it is present; it is absent (its object present) |
//! | `oneOf` / `anyOf` branch | the value at the pointer is valid for that branch |
//! | `if` | the value is valid for `if` (then); is not (else) |
//!
//! Pointers are instance pointer patterns: array elements show as `/*` (so are the values of
//! `additionalProperties`). Items found twice at the same place (through `allOf`, or `then`
//! and `else`) are one item. Keywords nested under a branch, `then` or `else` count only for
//! payloads that take that branch. A `$ref` cycle is followed once per path.
//!
//! [bundle]: crate::catalog::bundle

use std::collections::BTreeMap;

use serde_json::Value;

use crate::validate::{Resources, Validator};

/// How deep the walk goes into nested schemas before it stops listing items.
const MAX_DEPTH: usize = 64;

/// One thing a payload can exercise.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Item {
    /// The instance pointer pattern (`/payload/status`, `/data/tags/*`; empty for the root).
    pub at: String,
    /// What at that place.
    pub kind: ItemKind,
}

/// The kinds of [`Item`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    /// The value is this enum value (its JSON text).
    Enum(String),
    /// A nullable value is null.
    Null,
    /// A nullable value is not null.
    NotNull,
    /// An optional property is present.
    Present,
    /// An optional property is absent from its object.
    Absent,
    /// The value is valid for this branch: the schema path of the keyword (`anyOf`,
    /// `allOf/0/oneOf`) and the branch's index.
    Branch(String, usize),
    /// The value is valid (`true`, then) or not (`false`, else) for the `if` at this schema
    /// path.
    Condition(String, bool),
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.at.is_empty() {
            "<root>"
        } else {
            &self.at
        };
        match &self.kind {
            ItemKind::Enum(v) => write!(f, "{at} = {v}"),
            ItemKind::Null => write!(f, "{at} null"),
            ItemKind::NotNull => write!(f, "{at} not null"),
            ItemKind::Present => write!(f, "{at} present"),
            ItemKind::Absent => write!(f, "{at} absent"),
            ItemKind::Branch(path, i) => write!(f, "{at} {path}/{i}"),
            ItemKind::Condition(path, true) => write!(f, "{at} {path}: then"),
            ItemKind::Condition(path, false) => write!(f, "{at} {path}: else"),
        }
    }
}

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PlanError {}

/// The items of one schema and how to find them in a payload (see the module docs).
#[derive(Debug)]
pub struct Plan {
    items: Vec<Item>,
    root: Node,
}

/// What applies at one instance location.
#[derive(Debug, Default)]
struct Node {
    enums: Vec<(Value, usize)>,
    nullable: Option<(usize, usize)>,
    properties: Vec<Property>,
    items: Option<Box<Node>>,
    prefix: Vec<Node>,
    additional: Option<Box<Node>>,
    /// Subschemas that apply at the same location (`allOf`, `$ref`).
    same: Vec<Node>,
    branches: Vec<Branch>,
    conditions: Vec<Condition>,
}

#[derive(Debug)]
struct Property {
    name: String,
    node: Node,
    /// Present and absent items, for an optional property.
    optional: Option<(usize, usize)>,
}

#[derive(Debug)]
struct Branch {
    validator: Option<Validator>,
    item: usize,
    node: Node,
}

#[derive(Debug)]
struct Condition {
    validator: Option<Validator>,
    then: usize,
    otherwise: usize,
    then_node: Node,
    else_node: Node,
}

struct Builder<'a> {
    root: &'a Value,
    index: BTreeMap<Item, usize>,
    items: Vec<Item>,
    refs: Vec<String>,
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

impl Builder<'_> {
    fn item(&mut self, at: &str, kind: ItemKind) -> usize {
        let item = Item {
            at: at.to_owned(),
            kind,
        };
        if let Some(i) = self.index.get(&item) {
            return *i;
        }
        let i = self.items.len();
        self.items.push(item.clone());
        self.index.insert(item, i);
        i
    }

    /// A validator for a subschema, with the root's `$defs` so local references resolve.
    fn validator(&self, schema: &Value) -> Result<Option<Validator>, PlanError> {
        let doc = match schema {
            Value::Bool(_) => schema.clone(),
            Value::Object(o) => {
                let mut o = o.clone();
                if let Some(defs) = self.root.get("$defs") {
                    o.entry("$defs").or_insert_with(|| defs.clone());
                }
                if let Some(draft) = self.root.get("$schema") {
                    o.entry("$schema").or_insert_with(|| draft.clone());
                }
                Value::Object(o)
            }
            _ => return Ok(None),
        };
        Validator::compile(&doc, Resources::new([]))
            .map(Some)
            .map_err(|e| PlanError {
                message: e.to_string(),
            })
    }

    fn node(
        &mut self,
        schema: &Value,
        at: &str,
        path: &str,
        depth: usize,
    ) -> Result<Node, PlanError> {
        let mut node = Node::default();
        let Some(s) = schema.as_object() else {
            return Ok(node);
        };
        if depth > MAX_DEPTH {
            return Ok(node);
        }
        let join = |k: &str| {
            if path.is_empty() {
                k.to_owned()
            } else {
                format!("{path}/{k}")
            }
        };
        if let Some(Value::String(r)) = s.get("$ref")
            && let Some(fragment) = r.strip_prefix('#')
            && !self.refs.contains(r)
            && let Some(target) = self.root.pointer(fragment)
        {
            self.refs.push(r.clone());
            let sub = self.node(target, at, path, depth + 1);
            self.refs.pop();
            node.same.push(sub?);
        }
        if let Some(Value::Array(values)) = s.get("enum") {
            for v in values {
                let i = self.item(at, ItemKind::Enum(v.to_string()));
                node.enums.push((v.clone(), i));
            }
        }
        if let Some(Value::Array(types)) = s.get("type")
            && types.iter().any(|t| t == "null")
            && types.iter().any(|t| t != "null")
        {
            node.nullable = Some((
                self.item(at, ItemKind::Null),
                self.item(at, ItemKind::NotNull),
            ));
        }
        if let Some(Value::Object(props)) = s.get("properties") {
            let required: Vec<&str> = s
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (name, sub) in props {
                let child = format!("{at}/{}", escape(name));
                let optional = (!required.contains(&name.as_str())).then(|| {
                    (
                        self.item(&child, ItemKind::Present),
                        self.item(&child, ItemKind::Absent),
                    )
                });
                let sub = self.node(sub, &child, "", depth + 1)?;
                node.properties.push(Property {
                    name: name.clone(),
                    node: sub,
                    optional,
                });
            }
        }
        if let Some(items) = s.get("items") {
            node.items = Some(Box::new(self.node(
                items,
                &format!("{at}/*"),
                "",
                depth + 1,
            )?));
        }
        if let Some(Value::Array(prefix)) = s.get("prefixItems") {
            for (i, sub) in prefix.iter().enumerate() {
                let sub = self.node(sub, &format!("{at}/{i}"), "", depth + 1)?;
                node.prefix.push(sub);
            }
        }
        if let Some(extra) = s.get("additionalProperties") {
            node.additional = Some(Box::new(self.node(
                extra,
                &format!("{at}/*"),
                "",
                depth + 1,
            )?));
        }
        if let Some(Value::Array(all)) = s.get("allOf") {
            for (i, sub) in all.iter().enumerate() {
                let sub = self.node(sub, at, &join(&format!("allOf/{i}")), depth + 1)?;
                node.same.push(sub);
            }
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = s.get(keyword) {
                let kpath = join(keyword);
                for (i, sub) in branches.iter().enumerate() {
                    let item = self.item(at, ItemKind::Branch(kpath.clone(), i));
                    let validator = self.validator(sub)?;
                    let sub = self.node(sub, at, &format!("{kpath}/{i}"), depth + 1)?;
                    node.branches.push(Branch {
                        validator,
                        item,
                        node: sub,
                    });
                }
            }
        }
        if let Some(cond) = s.get("if") {
            let cpath = join("if");
            let then = self.item(at, ItemKind::Condition(cpath.clone(), true));
            let otherwise = self.item(at, ItemKind::Condition(cpath, false));
            let validator = self.validator(cond)?;
            let then_node = match s.get("then") {
                Some(t) => self.node(t, at, &join("then"), depth + 1)?,
                None => Node::default(),
            };
            let else_node = match s.get("else") {
                Some(e) => self.node(e, at, &join("else"), depth + 1)?,
                None => Node::default(),
            };
            node.conditions.push(Condition {
                validator,
                then,
                otherwise,
                then_node,
                else_node,
            });
        }
        Ok(node)
    }
}

impl Plan {
    /// The plan of a self-contained schema (references local, as in a bundle).
    ///
    /// # Errors
    ///
    /// [`PlanError`] when a branch or `if` subschema does not compile.
    ///
    /// # Example
    ///
    /// ```
    /// use hookcheck::coverage::plan::Plan;
    /// use serde_json::json;
    ///
    /// let plan = Plan::new(&json!({"properties": {"s": {"enum": ["a", "b"]}}}))?;
    /// let labels: Vec<String> = plan.items().iter().map(ToString::to_string).collect();
    /// assert_eq!(labels, ["/s present", "/s absent", r#"/s = "a""#, r#"/s = "b""#]);
    /// let mut hit = vec![false; plan.items().len()];
    /// plan.mark(&json!({"s": "b"}), &mut |i| hit[i] = true);
    /// assert_eq!(hit, [true, false, false, true]);
    /// # Ok::<(), hookcheck::coverage::plan::PlanError>(())
    /// ```
    pub fn new(schema: &Value) -> Result<Self, PlanError> {
        let mut b = Builder {
            root: schema,
            index: BTreeMap::new(),
            items: Vec::new(),
            refs: Vec::new(),
        };
        let root = b.node(schema, "", "", 0)?;
        Ok(Self {
            items: b.items,
            root,
        })
    }

    /// Every item, in the order the walk found them (each once).
    #[must_use]
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Calls `hit` with the index (into [`Plan::items`]) of every item `payload` covers; an
    /// index may come more than once.
    pub fn mark(&self, payload: &Value, hit: &mut dyn FnMut(usize)) {
        mark(&self.root, payload, hit);
    }
}

fn mark(node: &Node, v: &Value, hit: &mut dyn FnMut(usize)) {
    for (value, i) in &node.enums {
        if value == v {
            hit(*i);
        }
    }
    if let Some((null, not_null)) = node.nullable {
        hit(if v.is_null() { null } else { not_null });
    }
    if let Value::Object(o) = v {
        for p in &node.properties {
            match o.get(&p.name) {
                Some(child) => {
                    if let Some((present, _)) = p.optional {
                        hit(present);
                    }
                    mark(&p.node, child, hit);
                }
                None => {
                    if let Some((_, absent)) = p.optional {
                        hit(absent);
                    }
                }
            }
        }
        if let Some(extra) = &node.additional {
            for (k, child) in o {
                if !node.properties.iter().any(|p| &p.name == k) {
                    mark(extra, child, hit);
                }
            }
        }
    }
    if let Value::Array(a) = v {
        for (i, child) in a.iter().enumerate() {
            match node.prefix.get(i) {
                Some(p) => mark(p, child, hit),
                None => {
                    if let Some(items) = &node.items {
                        mark(items, child, hit);
                    }
                }
            }
        }
    }
    for same in &node.same {
        mark(same, v, hit);
    }
    for b in &node.branches {
        if b.validator.as_ref().is_some_and(|val| val.is_valid(v)) {
            hit(b.item);
            mark(&b.node, v, hit);
        }
    }
    for c in &node.conditions {
        let Some(val) = &c.validator else { continue };
        if val.is_valid(v) {
            hit(c.then);
            mark(&c.then_node, v, hit);
        } else {
            hit(c.otherwise);
            mark(&c.else_node, v, hit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(plan: &Plan) -> Vec<String> {
        plan.items().iter().map(ToString::to_string).collect()
    }

    fn covered(plan: &Plan, payloads: &[Value]) -> Vec<String> {
        let mut hit = vec![false; plan.items().len()];
        for p in payloads {
            plan.mark(p, &mut |i| hit[i] = true);
        }
        plan.items()
            .iter()
            .zip(hit)
            .filter(|(_, h)| *h)
            .map(|(i, _)| i.to_string())
            .collect()
    }

    fn schema() -> Value {
        json!({
            "type": "object",
            "required": ["kind", "tags"],
            "properties": {
                "kind": {"enum": ["a", "b"]},
                "note": {"type": ["string", "null"]},
                "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}},
                "who": {"oneOf": [{"type": "string"}, {"type": "integer"}]}
            },
            "if": {"properties": {"kind": {"const": "a"}}},
            "then": {"properties": {"extra": {"type": "boolean"}}},
            "$defs": {"tag": {"enum": ["x", "y"]}}
        })
    }

    #[test]
    fn items_of_enum_nullable_optional_branches_and_conditions() {
        let plan = Plan::new(&schema()).unwrap();
        assert_eq!(
            labels(&plan),
            [
                r#"/kind = "a""#,
                r#"/kind = "b""#,
                "/note present",
                "/note absent",
                "/note null",
                "/note not null",
                r#"/tags/* = "x""#,
                r#"/tags/* = "y""#,
                "/who present",
                "/who absent",
                "/who oneOf/0",
                "/who oneOf/1",
                "<root> if: then",
                "<root> if: else",
                "/extra present",
                "/extra absent",
            ]
        );
    }

    #[test]
    fn payloads_cover_what_they_exercise() {
        let plan = Plan::new(&schema()).unwrap();
        let one = json!({"kind": "b", "tags": ["y", "y"], "who": 3});
        assert_eq!(
            covered(&plan, std::slice::from_ref(&one)),
            [
                r#"/kind = "b""#,
                "/note absent",
                r#"/tags/* = "y""#,
                "/who present",
                "/who oneOf/1",
                "<root> if: else",
            ]
        );
        // Under `then` only when the condition holds.
        let two = json!({"kind": "a", "note": null, "tags": [], "extra": true});
        let got = covered(&plan, &[one, two]);
        assert!(got.contains(&"<root> if: then".to_owned()));
        assert!(got.contains(&"/extra present".to_owned()));
        assert!(got.contains(&"/note null".to_owned()));
        assert!(!got.contains(&"/note not null".to_owned()));
        assert!(!got.contains(&"/extra absent".to_owned()));
    }

    #[test]
    fn a_reference_cycle_is_followed_once() {
        let plan = Plan::new(&json!({
            "$ref": "#/$defs/node",
            "$defs": {"node": {"properties": {"next": {"$ref": "#/$defs/node"}}}}
        }))
        .unwrap();
        assert_eq!(labels(&plan), ["/next present", "/next absent"]);
    }

    #[test]
    fn every_catalog_event_has_a_plan() {
        for entry in crate::catalog::Catalog::builtin().entries() {
            let bundle = crate::catalog::bundle::bundle(entry).unwrap();
            let plan = Plan::new(&bundle).unwrap();
            if entry.key() == "postal/DomainDNSError" {
                assert!(
                    plan.items()
                        .iter()
                        .any(|i| matches!(i.kind, ItemKind::Condition(..)))
                );
            }
        }
    }
}
