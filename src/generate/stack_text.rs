//! Short text built on the stack, for the hot paths that read back what they just wrote (a
//! number's decimal form, a folded property name) and would otherwise allocate for each value.

use std::fmt;

/// Room for the short texts the generator folds or formats; longer ones take the allocating way.
const CAPACITY: usize = 64;

/// Text in a fixed buffer. A write that does not fit fails ([`fmt::Error`]) instead of
/// allocating, and leaves the text as it was before that write.
pub(crate) struct StackText {
    buf: [u8; CAPACITY],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        Self {
            buf: [0; CAPACITY],
            len: 0,
        }
    }
}

impl StackText {
    /// The text written so far.
    pub(crate) fn as_str(&self) -> &str {
        // Only whole `str`s are copied in, so the bytes are always UTF-8.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    #[test]
    fn text_that_fits_is_kept_and_text_that_does_not_fails_whole() {
        let mut t = StackText::default();
        write!(t, "{}-é", 12.5).unwrap();
        assert_eq!(t.as_str(), "12.5-é");
        let long = "x".repeat(CAPACITY);
        assert!(t.write_str(&long).is_err());
        assert_eq!(
            t.as_str(),
            "12.5-é",
            "a failed write leaves the text unchanged"
        );
        let mut full = StackText::default();
        full.write_str(&long).unwrap();
        assert_eq!(full.as_str(), long);
        assert!(full.write_char('y').is_err());
    }
}
