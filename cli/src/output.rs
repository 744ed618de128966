//! Writing to stdout without panicking on a closed pipe.

use crate::error::CliError;
use std::io::Write;

/// Write `text` to stdout and flush.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::io(format!("cannot write to stdout: {e}")))
}

/// Write one line to stderr; a closed stderr is ignored (there is nowhere left to say it).
pub fn report(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
