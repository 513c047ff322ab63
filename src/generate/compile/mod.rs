//! Schema -> [`Plan`]: the compiler.
//!
//! A node is identified by the set of schema locations that apply together at one instance
//! location (each with the dynamic scope it was reached in, which `$dynamicRef` needs). The
//! compiler keeps a work list of such sets: each is [flattened](flatten) (in-place applicators
//! `allOf`/`$ref` inlined, disjunctions collected), expanded into alternatives, and each
//! alternative [merged](merge) into one body whose children are again sets of locations. Sets
//! already seen map to the same node, which is how recursive schemas become finite graphs. When
//! the work list is empty, [`heights`] computes the smallest value height of every node by a
//! fixed point.
//!
//! Checkers (sub-validators for residual `not`/`oneOf` checks and for filtering `enum` values and
//! examples) are compiled through the validator itself: a tiny wrapper schema `{"$ref": "<uri of
//! the document>#<pointer>"}` whose documents are served from memory. They see a subschema exactly
//! as the full validator does, except for the dynamic scope of `$dynamicRef`.

pub(crate) mod flatten;
mod heights;
pub(crate) mod merge;

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
};

use serde_json::Value;

use crate::validate::Resources;

use super::{
    error::{GenError, SchemaLocation},
    options::GenOptions,
    plan::{CheckId, INF, Node, NodeId, PatternId, Plan},
    regex::Pattern,
    resolve::{self, Loc, Registry, Scope},
};

/// Index of an interned schema location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct LocId(pub u32);

/// Index of an interned dynamic scope (the resources with dynamic anchors entered so far, in
/// order of first entry). `DScope(0)` is the empty scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct DScope(pub u32);

/// A schema as it applies somewhere: where it is and in which dynamic scope.
pub(crate) type SchemaRef = (LocId, DScope);

/// Builds validators over the registry's documents, as every validator is built
/// ([`crate::validate::build`]).
#[derive(Debug, Clone)]
pub(crate) struct ValidatorFactory {
    docs: Resources,
}

impl ValidatorFactory {
    pub(crate) fn new(reg: &Registry) -> Self {
        Self {
            docs: Resources::new(reg.retrievable()),
        }
    }

    /// Compiles `schema`, taken to live at `base_uri` when it has no `$id`.
    pub(crate) fn build(
        &self,
        schema: &Value,
        base_uri: Option<&str>,
    ) -> Result<jsonschema::Validator, String> {
        crate::validate::build(schema, &self.docs, base_uri).map_err(|e| e.message)
    }
}

/// The compiler's state while a plan is built.
pub(crate) struct Compiler<'a> {
    pub reg: &'a Registry,
    pub opts: &'a GenOptions,
    factory: ValidatorFactory,
    locs: Vec<Loc>,
    loc_ids: HashMap<Loc, LocId>,
    dscopes: Vec<Vec<Arc<str>>>,
    dscope_ids: HashMap<Vec<Arc<str>>, DScope>,
    nodes: Vec<Node>,
    memo: HashMap<Vec<SchemaRef>, NodeId>,
    pending: VecDeque<(NodeId, Vec<SchemaRef>)>,
    checks: Vec<jsonschema::Validator>,
    check_ids: HashMap<LocId, CheckId>,
    synthetic_ids: HashMap<String, CheckId>,
    patterns: Vec<Pattern>,
    pattern_ids: HashMap<String, Result<PatternId, String>>,
}

impl<'a> Compiler<'a> {
    /// Compiles the root schema of `reg` into a plan.
    pub(crate) fn compile(
        reg: &'a Registry,
        opts: &'a GenOptions,
        factory: ValidatorFactory,
    ) -> Result<Plan, GenError> {
        let mut c = Compiler {
            reg,
            opts,
            factory,
            locs: Vec::new(),
            loc_ids: HashMap::new(),
            dscopes: vec![Vec::new()],
            dscope_ids: HashMap::from([(Vec::new(), DScope(0))]),
            nodes: Vec::new(),
            memo: HashMap::new(),
            pending: VecDeque::new(),
            checks: Vec::new(),
            check_ids: HashMap::new(),
            synthetic_ids: HashMap::new(),
            patterns: Vec::new(),
            pattern_ids: HashMap::new(),
        };
        let root_loc = c.intern(Loc {
            doc: 0,
            ptr: String::new(),
        });
        let root = c.node(vec![(root_loc, DScope(0))])?;
        while let Some((id, members)) = c.pending.pop_front() {
            let node = c.build_node(&members)?;
            c.nodes[id.0 as usize] = node;
        }
        heights::compute(&mut c.nodes);
        Ok(Plan {
            nodes: c.nodes,
            root,
            checks: c.checks,
            patterns: c.patterns,
        })
    }

    /// The node for a set of schemas applying together (created on first request).
    pub(crate) fn node(&mut self, mut members: Vec<SchemaRef>) -> Result<NodeId, GenError> {
        members.sort_unstable();
        members.dedup();
        if let Some(id) = self.memo.get(&members) {
            return Ok(*id);
        }
        if self.nodes.len() >= self.opts.max_nodes {
            let origin = members.first().map_or_else(
                || SchemaLocation::root(crate::JsonPointer::root()),
                |m| self.location(m.0),
            );
            return Err(GenError::unsupported(
                "$ref",
                origin,
                format!(
                    "the schema expands to more than {} distinct nodes",
                    self.opts.max_nodes
                ),
            ));
        }
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        let origin = members.first().map_or_else(
            || Loc {
                doc: 0,
                ptr: String::new(),
            },
            |m| self.loc(m.0).clone(),
        );
        self.nodes.push(Node {
            alts: Vec::new(),
            height: INF,
            origin,
        });
        self.memo.insert(members.clone(), id);
        self.pending.push_back((id, members));
        Ok(id)
    }

    fn build_node(&mut self, members: &[SchemaRef]) -> Result<Node, GenError> {
        let origin = members.first().map_or_else(
            || Loc {
                doc: 0,
                ptr: String::new(),
            },
            |m| self.loc(m.0).clone(),
        );
        let mut flat = flatten::Flat::default();
        for &(loc, dscope) in members {
            flatten::add(self, &mut flat, loc, dscope, &[])?;
        }
        let mut flats = Vec::new();
        flatten::expand(self, flat, &mut flats)?;
        let mut alts = Vec::with_capacity(flats.len());
        for f in flats {
            alts.push(merge::build_alt(self, f)?);
        }
        Ok(Node {
            alts,
            height: INF,
            origin,
        })
    }

    /// Interns a location.
    pub(crate) fn intern(&mut self, loc: Loc) -> LocId {
        if let Some(id) = self.loc_ids.get(&loc) {
            return *id;
        }
        let id = LocId(u32::try_from(self.locs.len()).unwrap_or(u32::MAX));
        self.locs.push(loc.clone());
        self.loc_ids.insert(loc, id);
        id
    }

    pub(crate) fn loc(&self, id: LocId) -> &Loc {
        &self.locs[id.0 as usize]
    }

    /// The location one or more pointer tokens below `id`.
    pub(crate) fn child(&mut self, id: LocId, tokens: &[&str]) -> LocId {
        let base = self.loc(id);
        let mut ptr = base.ptr.clone();
        for t in tokens {
            ptr.push('/');
            ptr.push_str(&resolve::escape(t));
        }
        let doc = base.doc;
        self.intern(Loc { doc, ptr })
    }

    /// The schema value at a location (`true` when the pointer leads nowhere).
    pub(crate) fn value(&self, id: LocId) -> &'a Value {
        static TRUE: Value = Value::Bool(true);
        self.reg.value(self.loc(id)).unwrap_or(&TRUE)
    }

    pub(crate) fn scope(&self, id: LocId) -> Scope {
        self.reg.scope(self.loc(id))
    }

    /// The public form of a location.
    pub(crate) fn location(&self, id: LocId) -> SchemaLocation {
        self.reg.location(self.loc(id))
    }

    /// The dynamic scope after entering the resource that contains `loc`.
    pub(crate) fn enter(&mut self, dscope: DScope, loc: LocId) -> DScope {
        let base = self.scope(loc).base;
        if !self.reg.is_dynamic_resource(&base) {
            return dscope;
        }
        let current = &self.dscopes[dscope.0 as usize];
        if current.iter().any(|u| **u == *base) {
            return dscope;
        }
        let mut next = current.clone();
        next.push(base);
        if let Some(id) = self.dscope_ids.get(&next) {
            return *id;
        }
        let id = DScope(u32::try_from(self.dscopes.len()).unwrap_or(u32::MAX));
        self.dscopes.push(next.clone());
        self.dscope_ids.insert(next, id);
        id
    }

    /// The resources of a dynamic scope, outermost first.
    pub(crate) fn dscope(&self, id: DScope) -> &[Arc<str>] {
        &self.dscopes[id.0 as usize]
    }

    /// A checker for the schema at `loc` (compiled once per location).
    pub(crate) fn checker(&mut self, loc: LocId) -> Result<CheckId, GenError> {
        if let Some(id) = self.check_ids.get(&loc) {
            return Ok(*id);
        }
        let l = self.loc(loc).clone();
        let uri = self.reg.doc_uri(l.doc);
        // The wrapper speaks the target's dialect: the validator resolves references into a
        // document of another draft only from a schema of that draft.
        let wrapper = serde_json::json!({
            "$schema": self.reg.scope(&l).draft.uri(),
            "$ref": format!("{uri}#{}", resolve::encode_fragment(&l.ptr)),
        });
        let validator = self
            .factory
            .build(&wrapper, Some("urn:hookcheck:check"))
            .map_err(|m| GenError::schema(self.reg.location(&l), m))?;
        let id = CheckId(u32::try_from(self.checks.len()).unwrap_or(u32::MAX));
        self.checks.push(validator);
        self.check_ids.insert(loc, id);
        Ok(id)
    }

    /// A checker for a schema built by the generator itself (e.g. one `format`).
    pub(crate) fn synthetic_checker(
        &mut self,
        schema: &Value,
        at: LocId,
    ) -> Result<CheckId, GenError> {
        let key = schema.to_string();
        if let Some(id) = self.synthetic_ids.get(&key) {
            return Ok(*id);
        }
        let validator = self
            .factory
            .build(schema, Some("urn:hookcheck:check"))
            .map_err(|m| GenError::schema(self.location(at), m))?;
        let id = CheckId(u32::try_from(self.checks.len()).unwrap_or(u32::MAX));
        self.checks.push(validator);
        self.synthetic_ids.insert(key, id);
        Ok(id)
    }

    /// Runs a checker during compilation.
    pub(crate) fn run_check(&self, id: CheckId, value: &Value) -> bool {
        self.checks[id.0 as usize].is_valid(value)
    }

    /// A compiled pattern (once per source text).
    pub(crate) fn pattern(&mut self, source: &str, at: LocId) -> Result<PatternId, GenError> {
        if let Some(r) = self.pattern_ids.get(source) {
            return r
                .clone()
                .map_err(|m| GenError::unsupported("pattern", self.location(at), m));
        }
        let r = match Pattern::new(source) {
            Ok(p) => {
                let id = PatternId(u32::try_from(self.patterns.len()).unwrap_or(u32::MAX));
                self.patterns.push(p);
                Ok(id)
            }
            Err(e) => Err(format!("pattern {source:?}: {}", e.0)),
        };
        self.pattern_ids.insert(source.to_owned(), r.clone());
        r.map_err(|m| GenError::unsupported("pattern", self.location(at), m))
    }

    pub(crate) fn pattern_ref(&self, id: PatternId) -> &Pattern {
        &self.patterns[id.0 as usize]
    }
}
