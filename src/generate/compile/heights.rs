//! Heights: the smallest nesting depth of any value each node can produce.
//!
//! Scalars have height 0, a container one more than its deepest *required* child. Heights start
//! at infinity and are lowered until nothing changes (a least fixed point), so a node that can
//! only be satisfied by infinite recursion keeps height infinity: it is unsatisfiable, and the
//! interpreter never enters it. With heights known, a depth budget can always be honoured by
//! choosing branches whose height fits.

use crate::generate::{
    keywords::type_::{Kind, TypeSet, kind_index},
    plan::{Body, INF, Node, NodeId},
};

/// Fills in `height` of every node, alternative and type.
pub(crate) fn compute(nodes: &mut [Node]) {
    loop {
        let mut changed = false;
        for i in 0..nodes.len() {
            let mut node_height = INF;
            for a in 0..nodes[i].alts.len() {
                let new = alt_height(nodes, i, a);
                if new.0 < nodes[i].alts[a].height {
                    changed = true;
                }
                let alt = &mut nodes[i].alts[a];
                alt.height = alt.height.min(new.0);
                if let (Body::Typed(t), Some(heights)) = (&mut alt.body, new.1) {
                    for (h, n) in t.heights.iter_mut().zip(heights) {
                        *h = (*h).min(n);
                    }
                }
                node_height = node_height.min(alt.height);
            }
            if node_height < nodes[i].height {
                nodes[i].height = node_height;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

fn alt_height(nodes: &[Node], i: usize, a: usize) -> (u32, Option<[u32; 7]>) {
    let alt = &nodes[i].alts[a];
    if alt.unsat.is_some() {
        return (INF, None);
    }
    match &alt.body {
        Body::Values { values, .. } => (if values.is_empty() { INF } else { 0 }, None),
        Body::Typed(t) => {
            let h = |id: NodeId| nodes.get(id.0 as usize).map_or(INF, |n| n.height);
            let mut heights = [INF; 7];
            for kind in TypeSet::ORDER {
                if !t.types.allows(kind) {
                    continue;
                }
                heights[kind_index(kind)] = match kind {
                    Kind::Null | Kind::Boolean | Kind::Integer | Kind::Number | Kind::String => 0,
                    Kind::Array => t.array.height(&h),
                    Kind::Object => t.object.height(&h),
                };
            }
            let best = heights.iter().copied().min().unwrap_or(INF);
            (best, Some(heights))
        }
    }
}
