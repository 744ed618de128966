//! `finauth rotate-secret`: Modify Partner Secret, with the new secret from an environment
//! variable or stdin — never from an argument, which `ps` would show.

use crate::error::CliError;
use crate::output;
use crate::store;
use finauth::Secret;
use std::io::{BufRead, IsTerminal};

/// Longest line read from stdin (Finicity allows 255 characters).
const MAX_LINE: u64 = 4096;

/// Where the new secret comes from.
pub enum NewSecretFrom {
    /// The named environment variable.
    Env(String),
    /// One line of stdin.
    Stdin,
}

pub async fn rotate(from: NewSecretFrom, immediate: bool) -> Result<(), CliError> {
    let auth = store::partner_auth_from_env()?;
    let status = store::check_store(&auth).await?;
    let new = read_new_secret(&from)?;
    auth.modify_partner_secret(new, immediate).await?;

    let mut text = format!(
        "partner secret modified for {} at {}; {}\n",
        auth.partner_id(),
        auth.base_url(),
        if immediate {
            "the old secret no longer works"
        } else {
            "the old secret keeps working at Finicity for a 30-day grace period"
        }
    );
    text.push_str(
        "next: set FINICITY_PARTNER_SECRET to the new secret wherever it is configured \
         (secret manager, CI, deployments)\n",
    );
    if status.store == "memory" {
        text.push_str(
            "warning: FINAUTH_STORE=memory, so no other process learned of the new secret; \
             until they are reconfigured, processes still holding the old one will be refused\n",
        );
    } else {
        text.push_str(&format!(
            "processes sharing the store {} pick up the new secret automatically and never send \
             the old one again; processes using another store do not\n",
            status.store
        ));
    }
    output::print(&text)
}

fn read_new_secret(from: &NewSecretFrom) -> Result<Secret, CliError> {
    match from {
        // The name is not echoed: a secret passed here by mistake must not reach the logs.
        NewSecretFrom::Env(name) => match std::env::var(name) {
            Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
            Ok(_) | Err(std::env::VarError::NotPresent) => Err(CliError::config(
                "--new-secret-env: the variable it names is not set or empty \
                 (give the variable's name, not the secret)",
            )),
            Err(std::env::VarError::NotUnicode(_)) => Err(CliError::config(
                "--new-secret-env: the variable it names is not valid UTF-8",
            )),
        },
        NewSecretFrom::Stdin => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(CliError::config(
                    "the new secret is read from stdin, which is a terminal (it would echo): \
                     pipe it in, or use --new-secret-env VAR",
                ));
            }
            read_line(stdin.lock())
        }
    }
}

/// The first line of `input`, without its line ending.
fn read_line(input: impl BufRead) -> Result<Secret, CliError> {
    let mut line = String::new();
    input
        .take(MAX_LINE)
        .read_line(&mut line)
        .map_err(|e| CliError::config(format!("cannot read the new secret from stdin: {e}")))?;
    let end = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(end);
    if line.is_empty() {
        return Err(CliError::config(
            "no new secret on stdin (expected one line), and --new-secret-env was not given",
        ));
    }
    Ok(Secret::new(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_line_without_its_ending() {
        let s = read_line(&b"NewSecret2027\r\nsecond line\n"[..]).ok();
        assert_eq!(s.as_ref().map(Secret::expose), Some("NewSecret2027"));
        let s = read_line(&b"NoNewline2027"[..]).ok();
        assert_eq!(s.as_ref().map(Secret::expose), Some("NoNewline2027"));
    }

    #[test]
    fn empty_input_is_a_config_error() {
        assert_eq!(read_line(&b""[..]).err().map(|e| e.kind()), Some("CONFIG"));
        assert_eq!(
            read_line(&b"\n"[..]).err().map(|e| e.kind()),
            Some("CONFIG")
        );
    }
}
