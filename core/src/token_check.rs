//! The one check every token passes before finauth caches, stores or hands it out: whatever the
//! source (a Finicity JSON or XML answer, an OAuth 2.0 token answer, a record another process
//! wrote to a shared store), a token goes into an HTTP header, so a server or a file must not be
//! able to smuggle a line break (a second header) or any other control character through it.

use std::fmt;

/// The longest token finauth accepts, in bytes. Finicity tokens are 32 characters and JWT access
/// tokens a few kilobytes; common servers refuse header lines over 8 KiB anyway.
pub const MAX_TOKEN_LEN: usize = 8192;

/// Why a token was refused. Never holds any part of the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenDefect {
    Empty,
    TooLong(usize),
    /// A byte outside visible ASCII (0x21–0x7E) at this offset.
    Character(usize),
}

impl fmt::Display for TokenDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenDefect::Empty => f.write_str("it is empty"),
            TokenDefect::TooLong(n) => write!(f, "it is {n} bytes long (at most {MAX_TOKEN_LEN})"),
            TokenDefect::Character(at) => write!(
                f,
                "byte {at} is not visible ASCII (a control character, space or non-ASCII byte)"
            ),
        }
    }
}

/// Visible ASCII only: every HTTP library takes such a value as one header value unchanged. Space
/// is refused too, since no token scheme we serve (Finicity, RFC 6750 `b64token`) contains one and
/// `Authorization: Bearer a b` would be read differently by different servers.
pub(crate) fn check(token: &str) -> Result<(), TokenDefect> {
    if token.is_empty() {
        return Err(TokenDefect::Empty);
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenDefect::TooLong(token.len()));
    }
    match token.bytes().position(|b| !(0x21..=0x7e).contains(&b)) {
        Some(at) => Err(TokenDefect::Character(at)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_ascii_up_to_the_bound_is_a_token() {
        assert_eq!(check("abcXYZ019-._~+/="), Ok(()));
        assert_eq!(check(&"a".repeat(MAX_TOKEN_LEN)), Ok(()));
        assert_eq!(
            check(&"a".repeat(MAX_TOKEN_LEN + 1)),
            Err(TokenDefect::TooLong(MAX_TOKEN_LEN + 1))
        );
        assert_eq!(check(""), Err(TokenDefect::Empty));
    }

    #[test]
    fn every_byte_outside_visible_ascii_is_refused() {
        for bad in [
            "\r", "\n", "\r\n", "\0", "\x1b", "\x7f", " ", "\t", "é", "\u{2028}",
        ] {
            let token = format!("abc{bad}X-Injected: 1");
            assert_eq!(check(&token), Err(TokenDefect::Character(3)), "{bad:?}");
        }
    }

    #[test]
    fn the_defect_never_shows_the_token() {
        let text = check("secret-token\r\nX: 1").unwrap_err().to_string();
        assert!(!text.contains("secret"), "{text}");
    }
}
