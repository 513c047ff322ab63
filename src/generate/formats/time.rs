//! `date-time`, `date`, `time` (RFC 3339) and `duration` (RFC 3339 appendix A / ISO 8601).
//!
//! Instants are drawn around a fixed reference (not the wall clock, so that a seed always gives
//! the same value): draw `0` is the reference itself, other draws move up to two years either way.

use crate::generate::source::Source;

/// The reference instant: 2025-06-15T12:00:00Z.
pub(crate) const REFERENCE_UNIX: i64 = 1_749_988_800;

/// Two years, in seconds.
const SPAN: u64 = 2 * 365 * 24 * 3600;

/// A signed offset from a draw: 0, 1, -1, 2, -2, ...
fn signed<S: Source + ?Sized>(src: &mut S, max: u64) -> i64 {
    let v = i64::try_from(src.draw(max * 2)).unwrap_or(0);
    if v % 2 == 0 { v / 2 } else { -(v + 1) / 2 }
}

/// Seconds since the epoch near the reference instant.
pub(crate) fn unix_time<S: Source + ?Sized>(src: &mut S) -> i64 {
    REFERENCE_UNIX + signed(src, SPAN)
}

/// `(year, month, day)` of a day count since 1970-01-01 (proleptic Gregorian).
pub(crate) fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Appends `n` as at least `width` decimal digits.
fn push_num(out: &mut String, n: i64, width: usize) {
    if n < 0 {
        out.push('-');
    }
    // Right-aligned in a zeroed buffer: the padding is the zeros left of the digits.
    let mut buf = [b'0'; 24];
    let mut v = n.unsigned_abs();
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let start = start.min(buf.len().saturating_sub(width));
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[start..]).unwrap_or_default());
}

fn push_date(out: &mut String, unix: i64) {
    let (y, m, d) = civil(unix.div_euclid(86_400));
    push_num(out, y, 4);
    out.push('-');
    push_num(out, i64::from(m), 2);
    out.push('-');
    push_num(out, i64::from(d), 2);
}

fn push_time<S: Source + ?Sized>(out: &mut String, unix: i64, src: &mut S) {
    let secs = unix.rem_euclid(86_400);
    push_num(out, secs / 3600, 2);
    out.push(':');
    push_num(out, secs / 60 % 60, 2);
    out.push(':');
    push_num(out, secs % 60, 2);
    match src.draw(3) {
        0 | 1 => {}
        2 => {
            out.push('.');
            push_num(out, i64::try_from(src.draw(999)).unwrap_or(0), 3);
        }
        _ => {
            out.push('.');
            push_num(out, i64::try_from(src.draw(999_999)).unwrap_or(0), 6);
        }
    }
    const ZONES: [&str; 6] = ["+00:00", "+02:00", "-05:00", "+05:30", "-08:00", "+09:00"];
    if src.rarely(3) {
        out.push_str(ZONES[src.choose(ZONES.len())]);
    } else {
        out.push('Z');
    }
}

/// An RFC 3339 `date-time`.
pub(crate) fn date_time<S: Source + ?Sized>(src: &mut S) -> String {
    let unix = unix_time(src);
    let mut out = String::with_capacity(32);
    push_date(&mut out, unix);
    out.push('T');
    push_time(&mut out, unix, src);
    out
}

/// An RFC 3339 `full-date`.
pub(crate) fn date<S: Source + ?Sized>(src: &mut S) -> String {
    let mut out = String::with_capacity(10);
    push_date(&mut out, unix_time(src));
    out
}

/// An RFC 3339 `full-time` (with its offset, which the format requires).
pub(crate) fn time<S: Source + ?Sized>(src: &mut S) -> String {
    let unix = unix_time(src);
    let mut out = String::with_capacity(21);
    push_time(&mut out, unix, src);
    out
}

/// An ISO 8601 duration.
pub(crate) fn duration<S: Source + ?Sized>(src: &mut S) -> String {
    let n = |src: &mut S, max: u64| src.between(1, max);
    match src.draw(5) {
        0 => format!("P{}D", n(src, 30)),
        1 => format!("PT{}H{}M", n(src, 23), n(src, 59)),
        2 => format!("PT{}S", n(src, 3600)),
        3 => format!("P{}Y{}M{}D", n(src, 5), n(src, 11), n(src, 28)),
        4 => format!("P{}W", n(src, 52)),
        _ => format!("P{}DT{}H", n(src, 30), n(src, 23)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::source::ReplaySource;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(REFERENCE_UNIX / 86_400), (2025, 6, 15));
        assert_eq!(civil(11_016), (2000, 2, 29));
        assert_eq!(civil(-1), (1969, 12, 31));
    }

    #[test]
    fn numbers_are_padded() {
        let mut s = String::new();
        push_num(&mut s, 7, 2);
        push_num(&mut s, 2025, 4);
        push_num(&mut s, 0, 3);
        push_num(&mut s, 123, 2);
        assert_eq!(s, "072025000123");
        s.clear();
        push_num(&mut s, -5, 3);
        push_num(&mut s, i64::MIN, 2);
        assert_eq!(s, "-005-9223372036854775808");
    }

    #[test]
    fn draw_zero_is_the_reference_instant() {
        assert_eq!(
            date_time(&mut ReplaySource::new(&[])),
            "2025-06-15T12:00:00Z"
        );
        assert_eq!(duration(&mut ReplaySource::new(&[])), "P1D");
    }
}
