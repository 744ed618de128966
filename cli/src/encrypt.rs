//! `finauth encrypt` and `finauth decrypt`: Mastercard payload encryption of a JSON payload on
//! stdin, the result on stdout (for debugging a service's encryption and for scripts).

use crate::args::{DecryptArgs, EncryptArgs, EncryptionArgs};
use crate::error::CliError;
use crate::output;
use finauth::encryption::{
    DecryptionKey, EncryptionCertificate, FieldEncoding, OaepHash, PayloadEncryption,
    PayloadEncryptionBuilder, Scheme,
};
use std::io::Read;

/// The exit statuses of both commands, for their `--help`.
pub const ENCRYPTION_HELP: &str = "\
Examples:
  finauth encrypt --cert mastercard-encryption.pem --path '$.card:$.encryptedCard' < request.json
  finauth decrypt --key my-keystore.p12 --key-password \"$P\" --key-alias mykey < response.json
  finauth decrypt --scheme fle --encoding base64 --path '$.encrypted:$.card' --key key.pem < r.json

Environment (each replaces the option of the same meaning):
  MASTERCARD_ENCRYPTION_CERT          encryption certificate (--cert)
  MASTERCARD_DECRYPTION_KEY           decryption key file (--key)
  MASTERCARD_DECRYPTION_KEY_PASSWORD  its password (--key-password)
  MASTERCARD_DECRYPTION_KEY_ALIAS     its alias in a PKCS#12 file (--key-alias)

Exit status: 0 ok, 2 CONFIG (bad option, path or scheme), 12 SIGNING_KEY (a key or certificate
that does not load), 13 ENCRYPTION (a payload that is not JSON, or cannot be decrypted:
tampered, truncated, or not for this key); one line on stderr, never holding a key or password.";

fn stdin() -> Result<String, CliError> {
    let mut buf = Vec::new();
    std::io::stdin()
        .read_to_end(&mut buf)
        .map_err(|e| CliError::io(format!("cannot read stdin: {e}")))?;
    String::from_utf8(buf).map_err(|_| {
        finauth::Error::Encryption("the payload on stdin is not UTF-8 JSON".into()).into()
    })
}

/// `IN:OUT`: the output path starts with `$`, so the pair splits at the last `:$`.
fn split_path(pair: &str) -> Result<(&str, &str), CliError> {
    pair.rfind(":$")
        .map(|at| (&pair[..at], &pair[at + 1..]))
        .filter(|(a, _)| !a.is_empty())
        .ok_or_else(|| {
            CliError::config(format!(
                "--path `{pair}`: expected IN:OUT, e.g. '$.card:$.encryptedCard'"
            ))
        })
}

fn builder(a: &EncryptionArgs, decrypting: bool) -> Result<PayloadEncryptionBuilder, CliError> {
    let scheme: Scheme = a.scheme.parse()?;
    let mut b = PayloadEncryption::builder(scheme);
    for pair in &a.paths {
        let (input, output) = split_path(pair)?;
        b = if decrypting {
            b.decryption_path(input, output)
        } else {
            b.encryption_path(input, output)
        };
    }
    if let Some(f) = &a.field_name {
        b = b.encrypted_value_field_name(f);
    }
    let fle_only = |opt: &str| CliError::config(format!("--{opt} applies to --scheme fle only"));
    if let Some(e) = &a.encoding {
        if scheme != Scheme::FieldLevel {
            return Err(fle_only("encoding"));
        }
        b = b.field_encoding(e.parse::<FieldEncoding>()?);
    }
    if let Some(o) = &a.oaep {
        if scheme != Scheme::FieldLevel {
            return Err(fle_only("oaep"));
        }
        b = b.oaep_hash(o.parse::<OaepHash>()?);
    }
    Ok(b)
}

pub fn encrypt(a: EncryptArgs) -> Result<(), CliError> {
    let mut b = builder(&a.common, false)?
        .encryption_certificate(EncryptionCertificate::from_file(&a.cert)?);
    if let Some(k) = &a.key_id {
        b = b.key_id(k);
    }
    if let Some(n) = a.iv_size {
        b = b.iv_size(n);
    }
    let out = b.build()?.encrypt_payload(&stdin()?)?;
    output::print(&format!("{out}\n"))
}

pub fn decrypt(a: DecryptArgs) -> Result<(), CliError> {
    let key = DecryptionKey::from_file(
        &a.key,
        a.key_password.as_ref().map(|p| p.0.as_str()),
        a.key_alias.as_deref(),
    )?;
    let enc = builder(&a.common, true)?.decryption_key(key).build()?;
    let out = enc.decrypt_payload(&stdin()?)?;
    output::print(&format!("{out}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_pairs_split_before_the_output_dollar() {
        assert_eq!(split_path("$:$").unwrap(), ("$", "$"));
        assert_eq!(
            split_path("$.a['x:$y']:$.b").unwrap(),
            ("$.a['x:$y']", "$.b")
        );
        assert!(split_path("$.a").is_err());
        assert!(split_path(":$").is_err());
    }
}
