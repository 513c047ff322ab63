//! `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`.
//!
//! Numbers are generated as `k × step` for an integer `k`, where `step` is the merged `multipleOf`
//! (several `multipleOf`s merge to their least common multiple; integers add a `1`). Bounds turn
//! into a range of `k`, computed exactly in decimal (a schema's `0.1` is the decimal 0.1, as the
//! validator reads it, not the nearest binary float), so that `exclusiveMinimum: 1.1` with
//! `multipleOf: 0.1` starts at `1.2`. Only when a bound is out of `i128` reach (`1e308`) does the
//! code fall back to floating point. Draw `0` is the value closest to zero.
//!
//! **Float-safe values.** Exact decimal arithmetic is what the specification asks for, but many
//! validators check `multipleOf` and bounds in binary floating point: Python's `jsonschema`
//! accepts `x` for a float divisor `m` when `x / m` is integral, ajv when `x / m ===
//! parseInt(x / m)` (so also below `1e21`), and `%`-based ones when `x % m == 0`. For
//! `{"multipleOf": 0.0001}` the exact multiple `-649557889.3001` fails all three. A generated
//! number is therefore also checked against every divisor and every exclusive bound the way IEEE
//! doubles compute them ([`NumberSpec::float_safe`]); when it fails, nearby multiples are tried
//! (`k` rounded to a power of two towards zero, other powers of two, zero and the range's ends), which are exact
//! in binary whenever the divisor's own double is. For a divisor that is not a binary fraction
//! (`0.1`, `0.01`), `x % m == 0` holds only for `x = 2^j × m`, so those are the values such a
//! schema gets. Only when no such value is in range is the exact multiple emitted anyway.

use std::{cmp::Ordering, fmt::Write as _};

use serde_json::{Number, Value};

use crate::generate::{source::Source, stack_text::StackText};

/// An exact decimal `mant × 10^exp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dec {
    mant: i128,
    exp: i32,
}

impl Dec {
    pub(crate) const ONE: Self = Self { mant: 1, exp: 0 };

    fn new(mut mant: i128, mut exp: i32) -> Self {
        if mant == 0 {
            return Self { mant: 0, exp: 0 };
        }
        while mant % 10 == 0 {
            mant /= 10;
            exp += 1;
        }
        Self { mant, exp }
    }

    /// Parses decimal text such as `-12.5e-3`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (num, exp) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (neg, num) = match num.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, num),
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        let mut mant: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            if !b.is_ascii_digit() {
                return None;
            }
            mant = mant.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        let exp = exp.checked_sub(i32::try_from(frac.len()).ok()?)?;
        Some(Self::new(if neg { -mant } else { mant }, exp))
    }

    /// The decimal a JSON number denotes (a float by its shortest round-trip text).
    pub(crate) fn from_number(n: &Number) -> Option<Self> {
        if let Some(i) = n.as_i64() {
            return Some(Self::new(i128::from(i), 0));
        }
        if let Some(u) = n.as_u64() {
            return Some(Self::new(i128::from(u), 0));
        }
        // Generated floats are formatted on the stack; longer text (arbitrary precision) is not.
        let mut text = StackText::default();
        if write!(text, "{n}").is_ok() {
            Self::parse(text.as_str())
        } else {
            Self::parse(&n.to_string())
        }
    }

    pub(crate) fn is_positive(self) -> bool {
        self.mant > 0
    }

    pub(crate) fn is_integer(self) -> bool {
        self.exp >= 0
    }

    pub(crate) fn to_f64(self) -> f64 {
        // An i128 and an i32 take at most 40 + 1 + 11 bytes.
        let mut text = StackText::default();
        if write!(text, "{}e{}", self.mant, self.exp).is_err() {
            return f64::NAN;
        }
        text.as_str().parse().unwrap_or(f64::NAN)
    }

    /// Both mantissas scaled to the smaller exponent, when that fits.
    fn aligned(self, other: Self) -> Option<(i128, i128, i32)> {
        let e = self.exp.min(other.exp);
        let scale = |d: Self| {
            d.mant
                .checked_mul(10_i128.checked_pow(u32::try_from(d.exp - e).ok()?)?)
        };
        Some((scale(self)?, scale(other)?, e))
    }

    pub(crate) fn cmp(self, other: Self) -> Ordering {
        match self.aligned(other) {
            Some((a, b, _)) => a.cmp(&b),
            None => self.to_f64().total_cmp(&other.to_f64()),
        }
    }

    /// Least common multiple of two positive decimals.
    pub(crate) fn lcm(self, other: Self) -> Option<Self> {
        let (a, b, e) = self.aligned(other)?;
        let g = gcd(a.abs(), b.abs());
        let l = (a.abs() / g).checked_mul(b.abs())?;
        Some(Self::new(l, e))
    }

    /// `self / step` rounded down (and whether the division was exact); `None` on overflow.
    fn div_floor(self, step: Self) -> Option<(i128, bool)> {
        let d = self.exp.checked_sub(step.exp)?;
        let (num, den) = if d >= 0 {
            (
                self.mant
                    .checked_mul(10_i128.checked_pow(u32::try_from(d).ok()?)?)?,
                step.mant,
            )
        } else {
            (
                self.mant,
                step.mant
                    .checked_mul(10_i128.checked_pow(u32::try_from(-d).ok()?)?)?,
            )
        };
        Some((num.div_euclid(den), num.rem_euclid(den) == 0))
    }

    fn add(self, other: Self) -> Option<Self> {
        let (a, b, e) = self.aligned(other)?;
        Some(Self::new(a.checked_add(b)?, e))
    }

    fn neg(self) -> Self {
        Self::new(-self.mant, self.exp)
    }

    fn half(self) -> Self {
        Self::new(self.mant.saturating_mul(5), self.exp - 1)
    }

    /// `k × self` as a JSON number.
    fn times(self, k: i128) -> Option<Value> {
        let mant = self.mant.checked_mul(k)?;
        if self.exp == 0
            && let Ok(i) = i64::try_from(mant)
        {
            return Some(Value::from(i));
        }
        let d = Self::new(mant, self.exp);
        if d.exp >= 0 {
            let v = d
                .mant
                .checked_mul(10_i128.checked_pow(u32::try_from(d.exp).ok()?)?)?;
            if let Ok(i) = i64::try_from(v) {
                return Some(Value::from(i));
            }
            if let Ok(u) = u64::try_from(v) {
                return Some(Value::from(u));
            }
        }
        let f = d.to_f64();
        Number::from_f64(f).map(Value::Number)
    }
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// The integers `k` with `k × step` in bounds.
enum KRange {
    /// No such `k`.
    Empty,
    /// `lo..=hi`, either end open.
    Span(Option<i128>, Option<i128>),
    /// A bound is out of exact reach.
    Overflow,
}

/// One bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bound {
    pub value: Dec,
    pub exclusive: bool,
}

/// The numeric constraints of an alternative.
#[derive(Debug, Clone, Default)]
pub(crate) struct NumberSpec {
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
    /// Merged `multipleOf` (least common multiple of all of them).
    pub step: Option<Dec>,
    /// `multipleOf` values whose common multiple overflowed: checked on each value instead.
    pub extra_steps: Vec<Dec>,
    /// Every `multipleOf` value, as given (float validators check each one on its own).
    pub divisors: Vec<Dec>,
    /// Non-integral numbers only (from `not: {type: integer}`).
    pub non_integer: bool,
    /// A keyword value that is not a number (the schema is invalid there).
    pub malformed: bool,
}

impl NumberSpec {
    /// Applies one numeric keyword.
    pub(crate) fn apply(&mut self, keyword: &str, value: &Value, exclusive_is_bool: bool) {
        if exclusive_is_bool && value.is_boolean() {
            return;
        }
        let Some(d) = value.as_number().and_then(Dec::from_number) else {
            self.malformed = true;
            return;
        };
        match keyword {
            "minimum" => self.raise(Bound {
                value: d,
                exclusive: false,
            }),
            "exclusiveMinimum" => self.raise(Bound {
                value: d,
                exclusive: true,
            }),
            "maximum" => self.lower_upper(Bound {
                value: d,
                exclusive: false,
            }),
            "exclusiveMaximum" => self.lower_upper(Bound {
                value: d,
                exclusive: true,
            }),
            "multipleOf" if d.is_positive() => {
                self.divisors.push(d);
                self.add_step(d);
            }
            _ => self.malformed = true,
        }
    }

    fn raise(&mut self, b: Bound) {
        self.lower = Some(match self.lower {
            None => b,
            Some(old) => match old.value.cmp(b.value) {
                Ordering::Less => b,
                Ordering::Greater => old,
                Ordering::Equal => Bound {
                    value: old.value,
                    exclusive: old.exclusive || b.exclusive,
                },
            },
        });
    }

    fn lower_upper(&mut self, b: Bound) {
        self.upper = Some(match self.upper {
            None => b,
            Some(old) => match old.value.cmp(b.value) {
                Ordering::Greater => b,
                Ordering::Less => old,
                Ordering::Equal => Bound {
                    value: old.value,
                    exclusive: old.exclusive || b.exclusive,
                },
            },
        });
    }

    fn add_step(&mut self, d: Dec) {
        self.step = match self.step {
            None => Some(d),
            Some(s) => match s.lcm(d) {
                Some(l) => Some(l),
                None => {
                    self.extra_steps.push(d);
                    Some(s)
                }
            },
        };
    }

    /// Whether some integer satisfies the spec.
    pub(crate) fn integers_possible(&self) -> bool {
        !self.non_integer && !matches!(self.k_range(self.integer_step()), KRange::Empty)
    }

    /// Whether some number satisfies the spec.
    pub(crate) fn numbers_possible(&self) -> bool {
        if self.integers_possible() {
            return true;
        }
        match self.step {
            Some(s) => !matches!(self.k_range(s), KRange::Empty),
            None => self.fraction_step_for_range().is_some(),
        }
    }

    fn integer_step(&self) -> Dec {
        match self.step {
            None => Dec::ONE,
            Some(s) if s.is_integer() => s,
            Some(s) => s.lcm(Dec::ONE).unwrap_or(s),
        }
    }

    /// The range of `k` with `lower <= k × step <= upper`.
    fn k_range(&self, step: Dec) -> KRange {
        let lo = match self.lower {
            None => None,
            Some(b) => match b.value.div_floor(step) {
                Some((q, exact)) => Some(if exact && !b.exclusive {
                    q
                } else {
                    q.saturating_add(1)
                }),
                None => return KRange::Overflow,
            },
        };
        let hi = match self.upper {
            None => None,
            Some(b) => match b.value.div_floor(step) {
                Some((q, exact)) => Some(if exact && b.exclusive {
                    q.saturating_sub(1)
                } else {
                    q
                }),
                None => return KRange::Overflow,
            },
        };
        match (lo, hi) {
            (Some(l), Some(h)) if l > h => KRange::Empty,
            (lo, hi) => KRange::Span(lo, hi),
        }
    }

    /// A power-of-ten step fine enough to fit between the bounds (for plain `number`s).
    fn fraction_step_for_range(&self) -> Option<Dec> {
        (1..=15)
            .map(|d| Dec::new(1, -d))
            .find(|s| !matches!(self.k_range(*s), KRange::Empty))
    }

    /// A number satisfying the spec; integral when `integral` (type `integer`).
    pub(crate) fn generate<S: Source + ?Sized>(
        &self,
        src: &mut S,
        integral: bool,
    ) -> Option<Value> {
        let step = if integral {
            self.integer_step()
        } else if let Some(s) = self.step {
            s
        } else if !self.non_integer && self.integers_possible() && !src.likely(3) {
            Dec::ONE
        } else {
            // Cents most of the time, other precisions sometimes.
            let wanted = Dec::new(1, -[2, 1, 3][src.choose(3)]);
            if !matches!(self.k_range(wanted), KRange::Empty) {
                wanted
            } else {
                self.fraction_step_for_range()?
            }
        };
        let value = match self.k_range(step) {
            KRange::Span(lo, hi) => {
                let k = pick_k(src, lo, hi, step);
                let value = step.times(k)?;
                if self.float_safe(&value) {
                    value
                } else {
                    float_safe_near(k, lo, hi)
                        .filter_map(|k| step.times(k))
                        .find(|v| self.float_safe(v) && self.accepts(v))
                        .unwrap_or(value)
                }
            }
            KRange::Overflow => self.float_fallback()?,
            KRange::Empty => return None,
        };
        self.accepts(&value).then_some(value)
    }

    /// Whether validators that work in IEEE doubles accept `value` too: for every divisor `m`,
    /// `x / m` is finite, integral and below `1e21` in magnitude (Python's `jsonschema`, ajv) and
    /// `x % m == 0` (`%`-based validators); and `x` is strictly beyond every exclusive bound as
    /// doubles (`2^53 + 1` is not above `2^53` once both are parsed into doubles).
    pub(crate) fn float_safe(&self, value: &Value) -> bool {
        let Some(x) = value.as_f64() else {
            return false;
        };
        let divisible = |d: &Dec| {
            let m = d.to_f64();
            let q = x / m;
            q.is_finite() && q.fract() == 0.0 && q.abs() < 1e21 && x % m == 0.0
        };
        let beyond = |b: Option<Bound>, above: bool| match b {
            Some(b) if b.exclusive => {
                let f = b.value.to_f64();
                if above { x > f } else { x < f }
            }
            _ => true,
        };
        self.divisors.iter().all(divisible) && beyond(self.lower, true) && beyond(self.upper, false)
    }

    /// Whether `value` satisfies every numeric constraint (used for suggested values).
    pub(crate) fn admits(&self, value: &Value) -> bool {
        let Some(d) = value.as_number().and_then(Dec::from_number) else {
            return false;
        };
        if let Some(b) = self.lower {
            match d.cmp(b.value) {
                Ordering::Less => return false,
                Ordering::Equal if b.exclusive => return false,
                _ => {}
            }
        }
        if let Some(b) = self.upper {
            match d.cmp(b.value) {
                Ordering::Greater => return false,
                Ordering::Equal if b.exclusive => return false,
                _ => {}
            }
        }
        if let Some(s) = self.step
            && !d.div_floor(s).is_some_and(|(_, exact)| exact)
        {
            return false;
        }
        self.float_safe(value) && self.accepts(value)
    }

    /// Whether `value` satisfies the parts the range arithmetic does not guarantee.
    fn accepts(&self, value: &Value) -> bool {
        if !self.non_integer && self.extra_steps.is_empty() {
            return true;
        }
        let Some(d) = value.as_number().and_then(Dec::from_number) else {
            return false;
        };
        if self.non_integer && d.is_integer() {
            return false;
        }
        self.extra_steps
            .iter()
            .all(|s| d.div_floor(*s).is_some_and(|(_, exact)| exact))
    }

    /// For bounds beyond exact arithmetic: the inclusive bound itself, or the float next to an
    /// exclusive one.
    fn float_fallback(&self) -> Option<Value> {
        let pick = |b: Bound, up: bool| {
            let f = b.value.to_f64();
            if b.exclusive {
                if up { f.next_up() } else { f.next_down() }
            } else {
                f
            }
        };
        let f = match (self.lower, self.upper) {
            (Some(l), _) => pick(l, true),
            (None, Some(u)) => pick(u, false),
            (None, None) => return None,
        };
        Number::from_f64(f).map(Value::Number)
    }
}

/// Values next to `at` that break one numeric keyword each (for negatives): below the lower
/// bound, above the upper bound, off the step. The validator confirms each.
pub(crate) fn mutations(
    spec: &NumberSpec,
    at: &Value,
    integral: bool,
) -> Vec<(Value, &'static [&'static str], String)> {
    let mut out = Vec::new();
    let unit = spec
        .step
        .filter(|s| !integral || s.is_integer())
        .unwrap_or(Dec::ONE);
    let mut push = |d: Option<Dec>, kw: &'static [&'static str], why: String| {
        if let Some(v) = d
            .filter(|d| !integral || d.is_integer())
            .and_then(|d| d.times(1))
        {
            out.push((v, kw, why));
        }
    };
    if let Some(b) = spec.lower {
        if b.exclusive {
            push(
                Some(b.value),
                &["exclusiveMinimum"],
                format!("equal to exclusiveMinimum {}", b.value.to_f64()),
            );
        } else {
            push(
                b.value.add(unit.neg()),
                &["minimum"],
                format!("below minimum {}", b.value.to_f64()),
            );
        }
    }
    if let Some(b) = spec.upper {
        if b.exclusive {
            push(
                Some(b.value),
                &["exclusiveMaximum"],
                format!("equal to exclusiveMaximum {}", b.value.to_f64()),
            );
        } else {
            push(
                b.value.add(unit),
                &["maximum"],
                format!("above maximum {}", b.value.to_f64()),
            );
        }
    }
    if let (Some(step), Some(d)) = (spec.step, at.as_number().and_then(Dec::from_number)) {
        let off = if step.is_integer() && step != Dec::ONE {
            d.add(Dec::ONE)
        } else {
            d.add(step.half())
        };
        push(
            off,
            &["multipleOf"],
            format!("not a multiple of {}", step.to_f64()),
        );
    }
    out
}

/// Other multipliers to try when `k × step` is not float-safe: `k` rounded towards zero to a
/// signed power of two, then smaller powers, larger ones, zero, and the ends of the range (those
/// in range).
fn float_safe_near(k: i128, lo: Option<i128>, hi: Option<i128>) -> impl Iterator<Item = i128> {
    let sign = if k < 0 { -1 } else { 1 };
    let top = 127 - k.unsigned_abs().leading_zeros().min(127);
    let powers = (0..=top)
        .rev()
        .chain(top + 1..=126)
        .map(move |j| sign * (1_i128 << j.min(126)));
    let in_range = move |c: &i128| lo.is_none_or(|l| *c >= l) && hi.is_none_or(|h| *c <= h);
    powers
        .chain([0])
        .chain(lo)
        .chain(hi)
        .filter(in_range)
        .take(200)
}

/// Picks `k` in `lo..=hi` (either end open): draw `0` is the `k` closest to zero, then small
/// offsets, wider ones, the bounds themselves, and anything in range.
fn pick_k<S: Source + ?Sized>(src: &mut S, lo: Option<i128>, hi: Option<i128>, step: Dec) -> i128 {
    let k0 = match (lo, hi) {
        (Some(l), _) if l > 0 => l,
        (_, Some(h)) if h < 0 => h,
        _ => 0,
    };
    // How many steps make a "small" (about 100) and a "wide" (about a million) offset.
    let per = |magnitude: f64| {
        let steps = magnitude / step.to_f64();
        if steps.is_finite() && steps >= 1.0 {
            steps.min(1e30) as i128
        } else {
            1
        }
    };
    let clamp = |k: i128| {
        let k = lo.map_or(k, |l| k.max(l));
        hi.map_or(k, |h| k.min(h))
    };
    let offset = |src: &mut S, span: i128| -> i128 {
        let mag = i128::from(src.draw(u64::try_from(span.max(1)).unwrap_or(u64::MAX)));
        // Positive offsets are the simpler choice; negative ones only where the range allows.
        let can_go_down = lo.is_none_or(|l| l < k0);
        let can_go_up = hi.is_none_or(|h| h > k0);
        if can_go_down && (!can_go_up || src.rarely(4)) {
            k0.saturating_sub(mag)
        } else {
            k0.saturating_add(mag)
        }
    };
    match src.draw(7) {
        0 => k0,
        1..=4 => clamp(offset(src, per(100.0))),
        5 => clamp(offset(src, per(1e6))),
        6 => match (lo, hi) {
            (Some(l), Some(h)) => {
                if src.draw(1) == 0 {
                    l
                } else {
                    h
                }
            }
            (Some(l), None) => l,
            (None, Some(h)) => h,
            (None, None) => clamp(offset(src, per(1e9))),
        },
        _ => match (lo, hi) {
            (Some(l), Some(h)) => {
                let span = u64::try_from(h.saturating_sub(l)).unwrap_or(u64::MAX);
                l.saturating_add(i128::from(src.draw(span)))
            }
            _ => clamp(offset(src, per(1e12))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::source::{ReplaySource, RngSource};
    use serde_json::json;

    fn spec(keywords: &Value) -> NumberSpec {
        let mut s = NumberSpec::default();
        for (k, v) in keywords.as_object().unwrap() {
            s.apply(k, v, false);
        }
        s
    }

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(Dec::parse("0.1"), Some(Dec { mant: 1, exp: -1 }));
        assert_eq!(Dec::parse("-12.50e2"), Some(Dec { mant: -125, exp: 1 }));
        assert_eq!(Dec::parse("0"), Some(Dec { mant: 0, exp: 0 }));
        assert_eq!(Dec::parse("007.250"), Some(Dec { mant: 725, exp: -2 }));
        assert_eq!(Dec::parse("1.5x"), None);
        assert_eq!(Dec::parse(&"9".repeat(60)), None);
        let float = Number::from_f64(1_477_945_177.129_94).unwrap();
        assert_eq!(
            Dec::from_number(&float),
            Some(Dec {
                mant: 147_794_517_712_994,
                exp: -5
            })
        );
        assert_eq!(Dec::parse("-1.25").unwrap().to_f64(), -1.25);
        assert_eq!(
            Dec::from_number(&Number::from_f64(1e308).unwrap()),
            Some(Dec { mant: 1, exp: 308 })
        );
        assert_eq!(
            Dec::parse("0.1").unwrap().lcm(Dec::parse("0.25").unwrap()),
            Dec::parse("0.5")
        );
    }

    #[test]
    fn exclusive_bounds_with_decimal_steps() {
        let s = spec(&json!({"exclusiveMinimum": 1.1, "multipleOf": 0.1, "maximum": 1.3}));
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..200 {
            let v = s.generate(&mut RngSource::new(seed, 0), false).unwrap();
            seen.insert(v.to_string());
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec!["1.2", "1.3"]);
    }

    #[test]
    fn integers_respect_bounds_and_steps() {
        let s = spec(&json!({"minimum": -7, "exclusiveMaximum": 20, "multipleOf": 3}));
        for seed in 0..300 {
            let v = s.generate(&mut RngSource::new(seed, 1), true).unwrap();
            let i = v.as_i64().unwrap();
            assert!((-7..20).contains(&i) && i % 3 == 0, "{i}");
        }
        assert_eq!(
            s.generate(&mut ReplaySource::new(&[]), true),
            Some(json!(0))
        );
    }

    #[test]
    fn draw_zero_is_closest_to_zero() {
        let s = spec(&json!({"minimum": 5}));
        assert_eq!(
            s.generate(&mut ReplaySource::new(&[]), true),
            Some(json!(5))
        );
        let s = spec(&json!({"maximum": -2.5}));
        assert_eq!(
            s.generate(&mut ReplaySource::new(&[]), true),
            Some(json!(-3))
        );
    }

    #[test]
    fn empty_ranges_are_detected() {
        assert!(!spec(&json!({"minimum": 5, "maximum": 4})).numbers_possible());
        let s = spec(&json!({"exclusiveMinimum": 0, "exclusiveMaximum": 1}));
        assert!(!s.integers_possible());
        assert!(s.numbers_possible());
        let v = s.generate(&mut RngSource::new(3, 3), false).unwrap();
        let f = v.as_f64().unwrap();
        assert!(f > 0.0 && f < 1.0);
        assert!(
            !spec(&json!({"minimum": 0.5, "maximum": 0.7, "multipleOf": 1})).numbers_possible()
        );
    }

    #[test]
    fn fractional_step_with_integers() {
        let s = spec(&json!({"multipleOf": 0.5}));
        let v = s.generate(&mut RngSource::new(9, 9), true).unwrap();
        assert!(v.is_i64());
    }

    /// Python's `jsonschema` and ajv, over doubles: `x / m` integral (and, for ajv, below 1e21)
    /// and `x % m == 0`.
    fn float_validators_accept(x: f64, m: f64) -> bool {
        let q = x / m;
        q.is_finite() && q.trunc() == q && q.abs() < 1e21 && x % m == 0.0
    }

    #[test]
    fn decimal_multiples_are_exact_in_doubles_too() {
        for (divisor, bounds) in [
            (0.0001, json!({})),
            (0.01, json!({"minimum": -50, "maximum": 50})),
            (0.1, json!({"exclusiveMinimum": 0})),
            (0.3, json!({})),
            (1e-8, json!({"minimum": 1})),
            (0.07, json!({"maximum": -1})),
        ] {
            let mut keywords = bounds.clone();
            keywords["multipleOf"] = json!(divisor);
            let s = spec(&keywords);
            for seed in 0..400 {
                let v = s.generate(&mut RngSource::new(seed, 7), false).unwrap();
                assert!(s.admits(&v), "{keywords}: {v}");
                let x = v.as_f64().unwrap();
                assert!(
                    float_validators_accept(x, divisor),
                    "{keywords}: {v} fails float multipleOf"
                );
            }
        }
        // The value of the report: exact in decimal, not in binary.
        let s = spec(&json!({"multipleOf": 0.0001}));
        assert!(!s.float_safe(&json!(-649_557_889.300_1)));
        assert!(s.float_safe(&json!(0.0008)));
    }

    #[test]
    fn exclusive_bounds_hold_as_doubles() {
        let s = spec(
            &json!({"exclusiveMaximum": 9_007_199_254_740_993_u64, "minimum": 9_007_199_254_740_000_u64}),
        );
        assert!(!s.float_safe(&json!(9_007_199_254_740_992_u64)));
        for seed in 0..200 {
            let v = s.generate(&mut RngSource::new(seed, 1), true).unwrap();
            assert!(v.as_f64().unwrap() < 9_007_199_254_740_993_f64, "{v}");
        }
    }

    #[test]
    fn huge_bounds_fall_back_to_floats() {
        let s = spec(&json!({"minimum": 1e308}));
        let v = s.generate(&mut RngSource::new(1, 2), true).unwrap();
        assert!(v.as_f64().unwrap() >= 1e308);
    }
}
