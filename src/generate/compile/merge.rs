//! Merging: one flattened, choice-free conjunction into one [`Alt`].
//!
//! Every keyword of every positive member is applied to one accumulator per concern (types,
//! listed values, numbers, strings, arrays, objects). Negated members are folded where their
//! meaning is plain, otherwise kept as residual checks. Listed values (`const`/`enum`) and schema
//! examples are filtered here, once, with the members' checkers: a value is kept only if every
//! member accepts it and every negated member rejects it, which is exactly membership in the
//! alternative.

use serde_json::Value;

use super::{
    Compiler, LocId,
    flatten::{Flat, MemberAt},
};
use crate::generate::{
    error::GenError,
    keywords::{
        combinators::{self, Fold},
        enum_::{Candidates, json_eq},
        format,
        items::ArrayCollector,
        length,
        numeric::NumberSpec,
        properties::ObjectCollector,
        string::{Conflict, StringSpec},
        type_::TypeSet,
    },
    plan::{Alt, Body, CheckId, INF, Typed},
    resolve::{Draft, Loc},
};

/// Most characters, items or properties a value may be *required* to have; larger minimums are
/// declined rather than drawn.
const MAX_REQUIRED: u64 = 10_000;

/// Merges `flat` into an alternative.
pub(crate) fn build_alt(c: &mut Compiler<'_>, flat: Flat) -> Result<Alt, GenError> {
    let origin = flat.pos.first().map_or_else(
        || Loc {
            doc: 0,
            ptr: String::new(),
        },
        |m| c.loc(m.loc).clone(),
    );
    let unsat_alt = |reason: String, origin: Loc| Alt {
        body: Body::Values {
            values: Vec::new(),
            keyword: "enum",
        },
        checks: Vec::new(),
        seeds: Vec::new(),
        height: INF,
        unsat: Some(reason),
        origin,
    };
    if let Some((reason, at)) = &flat.unsat {
        return Ok(unsat_alt(reason.clone(), c.loc(*at).clone()));
    }
    let mut types = TypeSet::ALL;
    let mut type_given = false;
    let mut candidates = Candidates::default();
    let mut number = NumberSpec::default();
    let mut string = StringSpec::default();
    let mut objects = ObjectCollector::default();
    let mut arrays = ArrayCollector::default();
    let mut seeds: Vec<Value> = Vec::new();
    for (idx, m) in flat.pos.iter().enumerate() {
        let Some(map) = c.value(m.loc).as_object() else {
            continue;
        };
        let at = MemberAt {
            index: idx,
            loc: m.loc,
            dscope: m.dscope,
            draft: c.scope(m.loc).draft,
        };
        for (key, value) in map {
            match key.as_str() {
                "type" => {
                    if let Some(t) = TypeSet::from_keyword(value) {
                        types = types.intersect(t);
                        type_given = true;
                    }
                }
                "const" => candidates.apply("const", value),
                "enum" => candidates.apply("enum", value),
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
                    number.apply(key, value, false);
                }
                "minLength" => string.apply_min(length::parse_length(value).unwrap_or(0)),
                "maxLength" => {
                    if let Some(n) = length::parse_length(value) {
                        string.apply_max(n);
                    }
                }
                "pattern" => {
                    if let Some(p) = value.as_str() {
                        let id = c.pattern(p, m.loc)?;
                        string.patterns.push(id);
                    }
                }
                "format" => {
                    if let Some(f) = format::parse(value) {
                        string.add_format(f);
                    }
                }
                "contentMediaType" | "contentEncoding" if at.draft <= Draft::D7 => {
                    string.content.apply(key, value);
                }
                "examples" => seeds.extend(value.as_array().into_iter().flatten().cloned()),
                "default" => seeds.push(value.clone()),
                "properties"
                | "patternProperties"
                | "additionalProperties"
                | "required"
                | "propertyNames"
                | "minProperties"
                | "maxProperties"
                | "dependentRequired"
                | "dependencies" => objects.collect(c, at, key, value)?,
                "prefixItems" | "items" | "additionalItems" | "contains" | "minItems"
                | "maxItems" | "uniqueItems" => {
                    arrays.collect(c, at, key, value, map);
                }
                _ => {}
            }
        }
    }
    if flat.object_only {
        types = types.intersect(TypeSet::OBJ);
    }
    let mut excluded: Vec<Value> = Vec::new();
    let mut forbidden = flat.forbidden.clone();
    let mut checks: Vec<(CheckId, bool)> = Vec::new();
    for &(loc, _) in &flat.neg {
        match combinators::fold(c.value(loc)) {
            Fold::Types(t) => {
                if t.contains(TypeSet::INT)
                    && !t.contains(TypeSet::NUM)
                    && types.contains(TypeSet::NUM)
                {
                    number.non_integer = true;
                }
                types = types.minus(t);
            }
            Fold::Values(vs) => excluded.extend(vs),
            Fold::Forbid(name) => forbidden.push(name),
            Fold::Check => checks.push((c.checker(loc)?, false)),
        }
    }
    let keyword = candidates.keyword.unwrap_or("enum");
    if let Some(values) = candidates.into_values() {
        let mut kept = Vec::new();
        for v in values {
            if types.contains(TypeSet::of(&v))
                && !excluded.iter().any(|x| json_eq(x, &v))
                && accepted(c, &flat, &v)?
            {
                kept.push(v);
            }
        }
        if kept.is_empty() {
            return Ok(unsat_alt(
                format!("no `{keyword}` value satisfies the other constraints"),
                origin,
            ));
        }
        return Ok(Alt {
            body: Body::Values {
                values: kept,
                keyword,
            },
            checks: Vec::new(),
            seeds: Vec::new(),
            height: INF,
            unsat: None,
            origin,
        });
    }
    let mut reasons = Vec::new();
    if !number.integers_possible() && types.contains(TypeSet::INT) {
        types = types.minus(TypeSet::INT);
        reasons.push("no integer is within the numeric bounds".to_owned());
    }
    if !number.numbers_possible() && types.contains(TypeSet::NUM) {
        types = types.minus(TypeSet::NUM);
        reasons.push("no number is within the numeric bounds".to_owned());
    }
    if !string.formats.is_empty() && (!string.patterns.is_empty() || string.formats.len() > 1) {
        let all: Vec<Value> = string
            .formats
            .iter()
            .map(|f| serde_json::json!({"format": f.name()}))
            .collect();
        let at = flat.pos.first().map_or(LocId(0), |m| m.loc);
        string.format_check = Some(c.synthetic_checker(&serde_json::json!({"allOf": all}), at)?);
    }
    let generatable = string
        .patterns
        .iter()
        .any(|p| c.pattern_ref(*p).can_generate());
    let pattern_min = string
        .patterns
        .iter()
        .map(|p| c.pattern_ref(*p).min_chars)
        .max()
        .unwrap_or(0);
    let conflict = string.conflict(generatable, pattern_min);
    // A type dropped because its values cannot be generated (not because none exist).
    let mut declined: Option<(&'static str, String)> = None;
    if let Some(conflict) = &conflict
        && types.contains(TypeSet::STR)
    {
        types = types.minus(TypeSet::STR);
        match conflict {
            Conflict::Empty(why) => reasons.push(why.clone()),
            Conflict::NotGeneratable => {
                declined = Some((
                    "pattern",
                    "no pattern of the string can be generated from".into(),
                ));
            }
        }
    }
    for (set, keyword, needed) in [
        (TypeSet::STR, "minLength", string.min_len),
        (TypeSet::ARR, "minItems", arrays.required_items()),
        (TypeSet::OBJ, "minProperties", objects.required_properties()),
    ] {
        if needed > MAX_REQUIRED && types.contains(set) {
            types = types.minus(set);
            declined = Some((
                keyword,
                format!("values would need at least {needed} elements (more than {MAX_REQUIRED})"),
            ));
        }
    }
    if types.is_empty() {
        if let Some((keyword, detail)) = declined {
            return Err(GenError::unsupported(
                keyword,
                c.reg.location(&origin),
                detail,
            ));
        }
        let reason = if reasons.is_empty() {
            "no JSON type satisfies every `type` constraint".to_owned()
        } else {
            reasons.join("; ")
        };
        return Ok(unsat_alt(reason, origin));
    }
    let object = if types.contains(TypeSet::OBJ) {
        objects.finish(c, &flat, &forbidden)?
    } else {
        Default::default()
    };
    let array = if types.contains(TypeSet::ARR) {
        arrays.finish(c, &flat)?
    } else {
        Default::default()
    };
    let seeds = if c.opts.realism {
        let mut kept = Vec::new();
        for v in seeds {
            if !kept.iter().any(|k| json_eq(k, &v))
                && types.contains(TypeSet::of(&v))
                && !excluded.iter().any(|x| json_eq(x, &v))
                && accepted(c, &flat, &v)?
            {
                kept.push(v);
            }
        }
        kept
    } else {
        Vec::new()
    };
    Ok(Alt {
        body: Body::Typed(Box::new(Typed {
            types,
            type_given,
            number,
            string,
            array,
            object,
            excluded,
            heights: [INF; 7],
        })),
        checks,
        seeds,
        height: INF,
        unsat: None,
        origin,
    })
}

/// Keywords a listed value is already filtered by without a checker: its type and the listed
/// values themselves are intersected exactly, and `allOf`/`$ref` targets are members of their
/// own. Annotations ([`combinators::ANNOTATIONS`]) never constrain it either.
const FILTERED_WITHOUT_CHECK: &[&str] = &[
    "type",
    "enum",
    "const",
    "allOf",
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
    "$dynamicAnchor",
    "$recursiveAnchor",
];

/// Whether every positive member accepts `v` and every negated member rejects it (`v` is already
/// known to have an allowed type and to be among any listed values).
fn accepted(c: &mut Compiler<'_>, flat: &Flat, v: &Value) -> Result<bool, GenError> {
    for m in &flat.pos {
        let plain = c.value(m.loc).as_object().is_some_and(|map| {
            map.keys().all(|k| {
                FILTERED_WITHOUT_CHECK.contains(&k.as_str())
                    || combinators::ANNOTATIONS.contains(&k.as_str())
            })
        });
        if plain {
            continue;
        }
        let id = c.checker(m.loc)?;
        if !c.run_check(id, v) {
            return Ok(false);
        }
    }
    for &(loc, _) in &flat.neg {
        let id = c.checker(loc)?;
        if c.run_check(id, v) {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use crate::generate::testing::values;
    use serde_json::json;

    #[test]
    fn all_of_members_merge() {
        let schema = json!({"allOf": [{"type": ["integer", "string"]}, {"type": ["integer", "null"]}, {"minimum": 3}, {"maximum": 4}]});
        for v in values(&schema, 50) {
            assert!(v == json!(3) || v == json!(4), "{v}");
        }
    }

    #[test]
    fn enum_values_are_filtered_by_the_rest() {
        let schema = json!({"enum": ["a", "bb", "ccc", 4], "type": "string", "minLength": 2});
        let mut seen: Vec<String> = values(&schema, 100)
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen, ["bb", "ccc"]);
    }

    #[test]
    fn invalid_examples_are_never_used() {
        let schema = json!({"type": "integer", "minimum": 10, "examples": [5, 12]});
        let vs = values(&schema, 400);
        assert!(vs.contains(&json!(12)));
        assert!(!vs.contains(&json!(5)));
    }

    #[test]
    fn boolean_schemas() {
        assert!(values(&json!(true), 20).iter().any(|v| !v.is_null()));
        assert!(
            values(&json!({"properties": {"x": false}}), 50)
                .iter()
                .all(|v| v.get("x").is_none())
        );
    }
}
