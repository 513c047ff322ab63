//! Time normalisation behind [`Timestamp`](super::Timestamp): JSON number literals and RFC 3339
//! `date-time` text to Unix seconds.

/// Parses a JSON number literal (RFC 8259 grammar) to the nearest finite `f64`.
pub(super) fn parse_json_number(text: &str) -> Option<f64> {
    if !is_json_number(text.as_bytes()) {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn is_json_number(b: &[u8]) -> bool {
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// Parses RFC 3339 `date-time` (`2024-01-15T10:30:00.25+02:00`) to Unix seconds.
pub(super) fn parse_rfc3339(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't'))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut fraction = None;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        fraction = Some(&text[start..i]);
    }
    let offset_seconds = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let oh = digits(b, i + 1, 2)?;
            let om = digits(b, i + 4, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let magnitude = i64::from(oh * 3600 + om * 60);
            if *sign == b'+' { magnitude } else { -magnitude }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(year), month, day);
    let whole = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_seconds;
    // Whole seconds are far below 2^53, so the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    let mut unix = whole as f64;
    if let Some(digits) = fraction {
        unix += format!("0.{digits}").parse::<f64>().ok()?;
    }
    Some(unix)
}

fn digits(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let slice = b.get(at..at + len)?;
    slice.iter().try_fold(0u32, |acc, d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::{parse_json_number, parse_rfc3339};

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339("2024-01-15T10:30:00Z"), Some(1_705_314_600.0));
        assert_eq!(parse_rfc3339("2024-01-15t10:30:00z"), Some(1_705_314_600.0));
        assert_eq!(
            parse_rfc3339("2024-01-15T12:30:00+02:00"),
            Some(1_705_314_600.0)
        );
        assert_eq!(
            parse_rfc3339("2024-01-15T05:30:00-05:00"),
            Some(1_705_314_600.0)
        );
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800.0));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Some(-1.0));
        assert_eq!(
            parse_rfc3339("2024-01-15T10:30:00.123Z"),
            Some(1_705_314_600.0 + 0.123)
        );
        assert_eq!(parse_rfc3339("2016-12-31T23:59:60Z"), Some(1_483_228_800.0));
    }

    #[test]
    fn rfc3339_rejects_malformed_text() {
        for bad in [
            "",
            "2024-01-15",
            "2024-01-15T10:30:00",
            "2024-01-15 10:30:00Z",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-15T24:00:00Z",
            "2024-01-15T10:30:00.Z",
            "2024-01-15T10:30:00+0200",
            "2024-01-15T10:30:00+02:00x",
            "２０24-01-15T10:30:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn json_numbers_follow_rfc8259() {
        assert_eq!(
            parse_json_number("1745838120.770091"),
            Some(1_745_838_120.770_091)
        );
        assert_eq!(parse_json_number("-0"), Some(-0.0));
        assert_eq!(parse_json_number("1e3"), Some(1000.0));
        for bad in ["", "01", "1.", ".5", "+1", "1e", "NaN", "\"1\"", "1e400"] {
            assert_eq!(parse_json_number(bad), None, "{bad:?}");
        }
    }
}
