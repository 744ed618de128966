//! The CLI's failure: a kind (finauth's, or one of the CLI's own) and a one-line message.

use crate::exit;
use std::fmt;

/// What went wrong, printed as `finauth: KIND: message` on one line of stderr.
#[derive(Debug)]
pub struct CliError {
    kind: &'static str,
    message: String,
}

impl CliError {
    fn new(kind: &'static str, message: impl Into<String>) -> Self {
        CliError {
            kind,
            message: message.into(),
        }
    }

    /// A bad argument or variable (exit 2).
    pub fn config(message: impl Into<String>) -> Self {
        Self::new("CONFIG", message)
    }

    /// A network-level failure of the CLI itself, e.g. a port already taken (exit 9).
    pub fn transport(message: impl Into<String>) -> Self {
        Self::new("TRANSPORT", message)
    }

    /// Output could not be written (exit 1).
    pub fn io(message: impl Into<String>) -> Self {
        Self::new("IO", message)
    }

    /// A demo step did not behave as expected (exit 1).
    pub fn demo(message: impl Into<String>) -> Self {
        Self::new("DEMO", message)
    }

    #[cfg(test)]
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    pub fn exit_code(&self) -> u8 {
        exit::code(self.kind)
    }
}

impl From<finauth::Error> for CliError {
    fn from(e: finauth::Error) -> Self {
        CliError::new(e.kind(), e.to_string())
    }
}

impl fmt::Display for CliError {
    /// `finauth: KIND: message`, always one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let one_line: String = self
            .message
            .split(['\r', '\n'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        write!(f, "finauth: {}: {}", self.kind, one_line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_on_one_line_with_the_kind() {
        let e = CliError::config("first\nsecond\r\n");
        assert_eq!(e.to_string(), "finauth: CONFIG: first second");
        assert_eq!(e.exit_code(), 2);
        let e: CliError = finauth::Error::Store("gone".into()).into();
        assert_eq!(e.kind(), "STORE");
        assert_eq!(e.exit_code(), 11);
        assert_eq!(CliError::io("x").exit_code(), 1);
    }
}
