//! The command line, declared with clap.

use crate::exit::HELP;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "finauth",
    version,
    about = "Finicity partner tokens, headers, lockout guard and secret rotation",
    long_about = "Finicity partner tokens, headers, lockout guard and secret rotation.\n\n\
        Configured by environment variables (below). Without FINAUTH_STORE the token and the \
        lockout guard are kept in a private cache directory, so a shell loop of `finauth token` \
        authenticates once and a wrong secret is never sent more than the guard allows.",
    after_help = HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print a valid token, and only the token (curl -H "Finicity-App-Token: $(finauth token)")
    #[command(after_help = HELP)]
    Token,
    /// Print the Finicity-App-Key and Finicity-App-Token headers, one `Name: value` a line
    #[command(after_help = HELP)]
    Headers,
    /// Inspect or clear the lockout guard
    Guard {
        #[command(subcommand)]
        action: GuardAction,
    },
    /// Modify Partner Secret: the new secret comes from stdin (one line) or --new-secret-env
    #[command(after_help = HELP)]
    RotateSecret(RotateArgs),
    /// Run the local Finicity-compatible sandbox; prints its URL and the variables to use it
    Sandbox(SandboxArgs),
    /// Show the token lifecycle against an in-process sandbox (exits non-zero on any surprise)
    Demo,
    /// Print the OAuth 1.0a Authorization value of one Mastercard API request, and only that
    #[command(after_help = crate::sign::SIGN_HELP)]
    Sign(SignArgs),
    /// Encrypt a JSON payload (stdin to stdout) as a Mastercard API's payload encryption asks
    #[command(after_help = crate::encrypt::ENCRYPTION_HELP)]
    Encrypt(EncryptArgs),
    /// Decrypt a JSON payload (stdin to stdout) a Mastercard API encrypted to your key
    #[command(after_help = crate::encrypt::ENCRYPTION_HELP)]
    Decrypt(DecryptArgs),
    /// OAuth 2.0 client credentials (FINAUTH_OAUTH2_* variables)
    Oauth2 {
        #[command(subcommand)]
        action: OAuth2Action,
    },
}

#[derive(Subcommand, Debug)]
pub enum OAuth2Action {
    /// Print a valid access token, and only the token
    #[command(after_help = crate::oauth2::OAUTH2_HELP)]
    Token,
    /// Print the headers of one request (Authorization, and DPoP with FINAUTH_OAUTH2_DPOP=1)
    #[command(after_help = crate::oauth2::OAUTH2_HELP)]
    Headers {
        /// HTTP method of the request (for the DPoP proof)
        #[arg(long, default_value = "GET")]
        method: String,
        /// Full URL of the request (needed for the DPoP proof)
        #[arg(long)]
        url: Option<String>,
    },
    /// Print the token endpoint: read from the issuer's metadata with FINAUTH_OAUTH2_ISSUER
    /// (and checked against this configuration), else FINAUTH_OAUTH2_TOKEN_URL
    #[command(after_help = crate::oauth2::OAUTH2_HELP)]
    Discover,
    /// The lockout guard of this client (issuer or token endpoint, and client id)
    Guard {
        #[command(subcommand)]
        action: OAuth2GuardAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum OAuth2GuardAction {
    /// Print the guard state of this client as `key: value` lines
    #[command(after_help = crate::oauth2::OAUTH2_HELP)]
    Status {
        /// Print one JSON object instead
        #[arg(long)]
        json: bool,
    },
    /// Operator action: clear failures and rejected credentials of this client for every process
    /// sharing the store. FINAUTH_OAUTH2_CLIENT_SECRET is not needed.
    #[command(after_help = crate::oauth2::OAUTH2_HELP)]
    Reset,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// HTTP method (GET, POST, ...)
    pub method: String,
    /// The full request URI, with its query
    pub uri: String,
    /// File holding the exact body bytes sent (`-`: stdin); without it, no body
    #[arg(long, value_name = "FILE")]
    pub body: Option<std::path::PathBuf>,
    /// Sign with RSA-PSS (SHA-256, MGF1, salt 32) instead of RSA-SHA256
    #[arg(long)]
    pub pss: bool,
    /// Signing key file: PKCS#12, PEM (PKCS#1, PKCS#8, encrypted PKCS#8) or DER
    #[arg(long, value_name = "FILE", env = "MASTERCARD_SIGNING_KEY")]
    pub key: Option<std::path::PathBuf>,
    /// Password of the PKCS#12 file or encrypted key
    #[arg(long, value_name = "P", env = "MASTERCARD_SIGNING_KEY_PASSWORD", hide_env_values = true, value_parser = crate::sign::parse_password)]
    pub key_password: Option<crate::sign::KeyPassword>,
    /// Alias of the key in the PKCS#12 file (default: its only key)
    #[arg(long, value_name = "A", env = "MASTERCARD_SIGNING_KEY_ALIAS")]
    pub key_alias: Option<String>,
    /// Consumer key of the Mastercard Developers project
    #[arg(long, value_name = "K", env = "MASTERCARD_CONSUMER_KEY")]
    pub consumer_key: Option<String>,
}

/// What `finauth encrypt` and `finauth decrypt` share.
#[derive(Args, Debug)]
pub struct EncryptionArgs {
    /// jwe (the current scheme) or fle (the older field-level scheme)
    #[arg(long, default_value = "jwe", value_name = "jwe|fle")]
    pub scheme: String,
    /// A JSON path pair IN:OUT (repeatable); default `$:$` to encrypt, `$.encryptedData:$` (JWE)
    /// or `$:$` (fle) to decrypt
    #[arg(long = "path", value_name = "IN:OUT")]
    pub paths: Vec<String>,
    /// The member holding the encrypted value (default encryptedData, fle: encryptedValue)
    #[arg(long, value_name = "NAME")]
    pub field_name: Option<String>,
    /// fle: how binary values are written
    #[arg(long, value_name = "hex|base64")]
    pub encoding: Option<String>,
    /// fle: the OAEP hash of the key wrap (decryption follows the payload's own field)
    #[arg(long, value_name = "sha256|sha512")]
    pub oaep: Option<String>,
}

#[derive(Args, Debug)]
pub struct EncryptArgs {
    #[command(flatten)]
    pub common: EncryptionArgs,
    /// Mastercard's encryption certificate (the Client Encryption Key): PEM or DER X.509, or a
    /// PEM public key
    #[arg(long, value_name = "FILE", env = "MASTERCARD_ENCRYPTION_CERT")]
    pub cert: std::path::PathBuf,
    /// JWE: the kid to send (default: the certificate's key fingerprint)
    #[arg(long, value_name = "KID")]
    pub key_id: Option<String>,
    /// JWE: the GCM IV length, 12 (default) or 16
    #[arg(long, value_name = "BYTES")]
    pub iv_size: Option<usize>,
}

#[derive(Args, Debug)]
pub struct DecryptArgs {
    #[command(flatten)]
    pub common: EncryptionArgs,
    /// Your decryption key (the Mastercard Encryption Key): PKCS#12, PEM or DER
    #[arg(long, value_name = "FILE", env = "MASTERCARD_DECRYPTION_KEY")]
    pub key: std::path::PathBuf,
    /// Password of the PKCS#12 file or encrypted key
    #[arg(long, value_name = "P", env = "MASTERCARD_DECRYPTION_KEY_PASSWORD", hide_env_values = true, value_parser = crate::sign::parse_password)]
    pub key_password: Option<crate::sign::KeyPassword>,
    /// Alias of the key in the PKCS#12 file (default: its only key)
    #[arg(long, value_name = "A", env = "MASTERCARD_DECRYPTION_KEY_ALIAS")]
    pub key_alias: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum GuardAction {
    /// Print the guard state as `key: value` lines (failed attempts, remaining, locked, ...)
    #[command(after_help = HELP)]
    Status {
        /// Print one JSON object instead
        #[arg(long)]
        json: bool,
    },
    /// Operator action: clear failures, rejected secrets and the locked flag for every process
    /// sharing the store (after fixing the secret, or after Finicity support unlocked the ID).
    /// FINICITY_PARTNER_SECRET and FINICITY_APP_KEY are not needed.
    #[command(after_help = HELP)]
    Reset,
}

#[derive(Args, Debug)]
pub struct RotateArgs {
    /// Name of an environment variable that holds the new secret (not the secret itself);
    /// without it the secret is read as one line from stdin
    #[arg(long, value_name = "VAR")]
    pub new_secret_env: Option<String>,
    /// Keep the old secret valid at Finicity for a 30-day grace period (immediate=false);
    /// by default it stops working at once
    #[arg(long)]
    pub grace: bool,
}

#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0: any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Token lifetime in seconds, fractions allowed (default 7200)
    #[arg(long, value_name = "SECS")]
    pub token_lifetime: Option<f64>,
    /// Delay added to each authentication answer, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
}

/// The one-line message for a command-line error, or `None` for `--help` / `--version` (which
/// clap prints as they are). A stray value may be a secret typed on the command line by mistake:
/// it is never echoed, and nothing of a bad `rotate-secret` command line is.
pub fn usage_message(e: &clap::Error) -> Option<String> {
    let rendered = e.render().to_string();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return None,
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let usage = rendered
                .lines()
                .find_map(|l| l.trim().strip_prefix("Usage: "))
                .unwrap_or("finauth <COMMAND>");
            return Some(format!("a subcommand is missing: {usage} (see --help)"));
        }
        _ => {}
    }
    if std::env::args_os().any(|a| a == "rotate-secret") {
        return Some(
            "invalid arguments for rotate-secret (not echoed, in case they hold a secret); \
             usage: finauth rotate-secret [--new-secret-env VAR] [--grace], the new secret on stdin"
                .into(),
        );
    }
    if std::env::args_os().any(|a| a == "sign") {
        return Some(
            "invalid arguments for sign (not echoed, in case they hold a password); usage: \
             finauth sign METHOD URI [--body FILE] [--pss] --key FILE [--key-password P] \
             [--key-alias A] --consumer-key K"
                .into(),
        );
    }
    if let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) {
        if e.kind() == ErrorKind::UnknownArgument && !arg.starts_with('-') {
            return Some(
                "unexpected argument (not shown, in case it is a secret: secrets are read from \
                 stdin or the environment, never from the command line); see `finauth --help`"
                    .into(),
            );
        }
    }
    let first = rendered
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid arguments");
    Some(format!(
        "{} (see `finauth --help`)",
        first.strip_prefix("error: ").unwrap_or(first)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_declaration_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_every_subcommand() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).map(|c| c.command);
        assert!(matches!(parse(&["finauth", "token"]), Ok(Command::Token)));
        assert!(matches!(
            parse(&["finauth", "guard", "status", "--json"]),
            Ok(Command::Guard {
                action: GuardAction::Status { json: true }
            })
        ));
        assert!(matches!(
            parse(&[
                "finauth",
                "rotate-secret",
                "--new-secret-env",
                "NEW",
                "--grace"
            ]),
            Ok(Command::RotateSecret(RotateArgs { grace: true, .. }))
        ));
        assert!(matches!(
            parse(&[
                "finauth",
                "sandbox",
                "--port",
                "8080",
                "--token-lifetime",
                "1.5"
            ]),
            Ok(Command::Sandbox(SandboxArgs { port: 8080, .. }))
        ));
        assert!(parse(&["finauth", "rotate-secret", "NewSecret2027"]).is_err());
        assert!(parse(&["finauth", "sandbox", "--port", "99999"]).is_err());
    }
}
