//! Exit status of `finauth`: the one place that maps an error kind to a code.

/// Every finauth error kind with its exit status (docs/API.md, "Errors").
pub const CODES: [(&str, u8); 12] = [
    ("CONFIG", 2),
    ("INVALID_CREDENTIALS", 3),
    ("ACCOUNT_LOCKED", 4),
    ("LOCKOUT_GUARD", 5),
    ("RATE_LIMITED", 6),
    ("UNAUTHORIZED", 7),
    ("SERVER", 8),
    ("TRANSPORT", 9),
    ("TIMEOUT", 10),
    ("STORE", 11),
    ("SIGNING_KEY", 12),
    ("ENCRYPTION", 13),
];

/// Status for anything that is not a finauth error kind (output could not be written, a demo
/// step that did not behave as expected).
pub const OTHER: u8 = 1;

/// The exit status for an error kind (`finauth::Error::kind()` or one of the CLI's own).
pub fn code(kind: &str) -> u8 {
    CODES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(OTHER, |(_, c)| *c)
}

/// The part of `--help` that documents the variables and the exit statuses.
pub const HELP: &str = "\
Environment:
  FINICITY_PARTNER_ID              Partner ID (required)
  FINICITY_PARTNER_SECRET          partner secret (required)
  FINICITY_APP_KEY                 App Key (required)
  FINICITY_BASE_URL                API base URL (default https://api.finicity.com)
  FINAUTH_STORE                    where the token and the lockout guard live: memory, file:/dir,
                                   redis://[user:password@]host:port/db[?prefix=NAME] or rediss://...
                                   (default: file store in $XDG_CACHE_HOME/finauth, else
                                   $HOME/.cache/finauth, mode 0700, shared by every finauth call)
  FINAUTH_MAX_FAILED_ATTEMPTS      credential failures allowed before the guard stops, 1-4 (default 3)
  FINAUTH_REFRESH_AFTER            token age in seconds at which it is refreshed (default 5400)
  FINAUTH_TOKEN_LIFETIME           token lifetime in seconds (default 7200)
  FINAUTH_TIMEOUT                  seconds for a request or a wait (default 30)
  FINAUTH_ALLOW_INSECURE_LOOPBACK  1 to allow http:// on a loopback address (the sandbox)
  FINAUTH_LOG                      log filter, tracing EnvFilter syntax, to stderr (default warn)

Exit status:
  0 ok, 1 other failure (output not written, a demo step misbehaved), 2 CONFIG (also usage
  errors), 3 INVALID_CREDENTIALS, 4 ACCOUNT_LOCKED, 5 LOCKOUT_GUARD, 6 RATE_LIMITED,
  7 UNAUTHORIZED, 8 SERVER, 9 TRANSPORT, 10 TIMEOUT, 11 STORE, 12 SIGNING_KEY,
  13 ENCRYPTION (a payload that cannot be decrypted: tampered, truncated, not for this key).
  On failure one line goes to stderr: `finauth: KIND: message`. It never holds a secret.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_documented_code() {
        assert_eq!(code("CONFIG"), 2);
        assert_eq!(code("INVALID_CREDENTIALS"), 3);
        assert_eq!(code("ACCOUNT_LOCKED"), 4);
        assert_eq!(code("LOCKOUT_GUARD"), 5);
        assert_eq!(code("RATE_LIMITED"), 6);
        assert_eq!(code("UNAUTHORIZED"), 7);
        assert_eq!(code("SERVER"), 8);
        assert_eq!(code("TRANSPORT"), 9);
        assert_eq!(code("TIMEOUT"), 10);
        assert_eq!(code("STORE"), 11);
        assert_eq!(code("SIGNING_KEY"), 12);
        assert_eq!(code("SOMETHING_ELSE"), OTHER);
    }

    #[test]
    fn core_error_kinds_map_to_their_codes() {
        let e = finauth::Error::Transport("refused".into());
        assert_eq!(code(e.kind()), 9);
        let e = finauth::Error::Config("x".into());
        assert_eq!(code(e.kind()), 2);
    }

    #[test]
    fn help_lists_every_code() {
        for (kind, c) in CODES {
            assert!(
                HELP.contains(&format!("{c} {kind}")),
                "{kind} missing from HELP"
            );
        }
    }
}
