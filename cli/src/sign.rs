//! `finauth sign METHOD URI`: print the OAuth 1.0a `Authorization` value of one Mastercard API
//! request, and only that value.

use crate::args::SignArgs;
use crate::error::CliError;
use crate::output;
use finauth::oauth1::{OAuth1Signer, SignatureMethod, SigningKey};
use std::fmt;
use std::io::Read;

/// The variables of `finauth sign`, for its `--help`.
pub const SIGN_HELP: &str = "\
Environment (each replaces the option of the same meaning):
  MASTERCARD_CONSUMER_KEY          consumer key of the Mastercard Developers project (--consumer-key)
  MASTERCARD_SIGNING_KEY           path of the signing key (--key): PKCS#12 (.p12), PEM (PKCS#1,
                                   PKCS#8, encrypted PKCS#8) or DER (PKCS#8, PKCS#1)
  MASTERCARD_SIGNING_KEY_PASSWORD  password of the PKCS#12 file or encrypted key (--key-password)
  MASTERCARD_SIGNING_KEY_ALIAS     alias of the key in the PKCS#12 file (--key-alias)

Exit status: 0 ok, 2 CONFIG (bad method, URI or arguments), 12 SIGNING_KEY (the key could not
be loaded); one line on stderr, `finauth: KIND: message`, never holding the password.";

/// A key password: redacted in `Debug` (the parsed command line derives it).
#[derive(Clone)]
pub struct KeyPassword(pub String);

impl fmt::Debug for KeyPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyPassword([REDACTED])")
    }
}

/// clap's parser for `--key-password` / `MASTERCARD_SIGNING_KEY_PASSWORD`.
pub fn parse_password(s: &str) -> Result<KeyPassword, String> {
    Ok(KeyPassword(s.to_owned()))
}

/// Load the key, sign, print the header value and a newline.
pub fn run(args: SignArgs) -> Result<(), CliError> {
    output::print(&format!("{}\n", authorization(&args)?))
}

fn authorization(args: &SignArgs) -> Result<String, CliError> {
    let consumer_key = args
        .consumer_key
        .as_deref()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            CliError::config("no consumer key: pass --consumer-key or set MASTERCARD_CONSUMER_KEY")
        })?;
    let key_path = args.key.as_deref().ok_or_else(|| {
        CliError::config("no signing key: pass --key FILE or set MASTERCARD_SIGNING_KEY")
    })?;
    let key = SigningKey::from_file(
        key_path,
        args.key_password.as_ref().map(|p| p.0.as_str()),
        args.key_alias.as_deref(),
    )?;
    let body = match args.body.as_deref() {
        None => Vec::new(),
        Some(p) if p.as_os_str() == "-" => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| CliError::io(format!("cannot read the body from stdin: {e}")))?;
            buf
        }
        Some(p) => std::fs::read(p).map_err(|e| {
            CliError::config(format!(
                "cannot read the body file {}: {}",
                p.display(),
                e.kind()
            ))
        })?,
    };
    let method = if args.pss {
        SignatureMethod::RsaPss
    } else {
        SignatureMethod::RsaSha256
    };
    let signer = OAuth1Signer::new(consumer_key, key, method)?;
    Ok(signer.authorization_header(&args.method, &args.uri, &body)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{Cli, Command};
    use clap::Parser;
    use std::path::PathBuf;

    fn keys() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/oauth1-keys")
    }

    fn parse(extra: &[&str]) -> SignArgs {
        let mut argv = vec!["finauth", "sign"];
        argv.extend_from_slice(extra);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Sign(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn signs_with_a_pkcs12_key() {
        let key = keys().join("modern.p12");
        let args = parse(&[
            "POST",
            "https://sandbox.api.mastercard.com/x?a=1",
            "--key",
            key.to_str().unwrap(),
            "--key-password",
            "keystorepassword",
            "--key-alias",
            "signing-key",
            "--consumer-key",
            "ck!1",
            "--pss",
        ]);
        assert!(!format!("{args:?}").contains("keystorepassword"));
        let header = authorization(&args).unwrap();
        assert!(header
            .starts_with("OAuth oauth_body_hash=\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\""));
        assert!(header.contains("oauth_consumer_key=\"ck!1\""));
        assert!(header.contains("oauth_signature_method=\"RSA-PSS\""));
    }

    #[test]
    fn hashes_the_body_file() {
        let key = keys().join("pkcs8.pem");
        let body = std::env::temp_dir().join(format!("finauth-sign-body-{}", std::process::id()));
        std::fs::write(&body, b"a").unwrap();
        let args = parse(&[
            "PUT",
            "https://api.mastercard.com/x",
            "--body",
            body.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--consumer-key",
            "ck",
        ]);
        let header = authorization(&args).unwrap();
        let _ = std::fs::remove_file(&body);
        assert!(header.contains("oauth_body_hash=\"ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=\""));
        assert!(header.contains("oauth_signature_method=\"RSA-SHA256\""));
    }

    #[test]
    fn errors_have_their_kinds_and_hide_the_password() {
        let p12 = keys().join("modern.p12");
        let wrong = parse(&[
            "GET",
            "https://api.mastercard.com/x",
            "--key",
            p12.to_str().unwrap(),
            "--key-password",
            "Wrong-Pass-123",
            "--consumer-key",
            "ck",
        ]);
        let e = authorization(&wrong).unwrap_err();
        assert_eq!(e.exit_code(), 12);
        assert!(!e.to_string().contains("Wrong-Pass-123"), "{e}");
        let pem = keys().join("pkcs8.pem");
        let bad_uri = parse(&[
            "GET",
            "no-scheme",
            "--key",
            pem.to_str().unwrap(),
            "--consumer-key",
            "ck",
        ]);
        assert_eq!(authorization(&bad_uri).unwrap_err().exit_code(), 2);
        let no_key = SignArgs {
            key: None,
            ..bad_uri
        };
        let e = authorization(&no_key).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("MASTERCARD_SIGNING_KEY"), "{e}");
    }
}
