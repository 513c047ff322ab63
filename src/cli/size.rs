//! Byte sizes on the command line (`--max-size`, `--max-body`).

/// Parses a byte size such as `1024`, `512K`, `16M` or `1G` (binary multiples, any case).
///
/// # Errors
///
/// A message for clap when `s` is not digits with an optional `K`, `M` or `G`, or when the
/// size is more than this platform can address (`isize::MAX` bytes, the most one buffer can
/// hold).
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_uppercase();
    let (digits, mult) = match t.as_bytes().last() {
        Some(b'K') => (&t[..t.len() - 1], 1u64 << 10),
        Some(b'M') => (&t[..t.len() - 1], 1 << 20),
        Some(b'G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t.as_str(), 1),
    };
    let size = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("{s:?} is not a size (e.g. 1048576, 512K, 16M)"))?;
    let addressable = u64::try_from(isize::MAX).unwrap_or(u64::MAX);
    if size > addressable {
        return Err(format!(
            "{s:?} is more than this platform can address (at most {addressable} bytes)"
        ));
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("16M"), Ok(16 << 20));
        assert_eq!(parse_size(" 1g "), Ok(1 << 30));
    }

    #[test]
    fn other_text_and_overflow_are_errors() {
        for bad in ["lots", "16MB", "16MM", "", "K", "-1", "99999999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sizes_beyond_what_can_be_addressed_are_errors() {
        let max = u64::try_from(isize::MAX).unwrap();
        assert_eq!(parse_size(&max.to_string()), Ok(max));
        for bad in [
            (max + 1).to_string(),
            u64::MAX.to_string(),
            "18446744073709551614".into(),
        ] {
            assert!(parse_size(&bad).is_err(), "{bad:?}");
        }
    }
}
