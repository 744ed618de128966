//! EC P-256 keys in every format give the same key (same public JWK); signatures made by the
//! JOSE helper verify with openssl.

use finauth::oauth2::jose;
use finauth::SigningKey;
use std::path::{Path, PathBuf};
use std::process::Command;

fn keys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oauth1-keys")
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("finauth-oauth2-keys-{}-{name}", std::process::id()))
}

fn openssl(args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn ec_keys_load_from_pkcs8_sec1_der_and_pkcs12_alike() {
    let pkcs8 = SigningKey::from_file(keys().join("ec.pem"), None, None).unwrap();
    assert_eq!(pkcs8.algorithm(), "EC-P256");
    assert_eq!(jose::alg(&pkcs8), "ES256");
    let jwk = jose::public_jwk(&pkcs8);
    assert_eq!(
        (jwk["kty"].as_str(), jwk["crv"].as_str()),
        (Some("EC"), Some("P-256"))
    );
    let p12 = SigningKey::from_file(keys().join("ec.p12"), Some("keystorepassword"), None).unwrap();
    assert_eq!(jose::public_jwk(&p12), jwk);
    let sec1 = temp("sec1.pem");
    let der = temp("sec1.der");
    let ec = keys().join("ec.pem");
    let ec = ec.to_str().unwrap();
    assert!(
        openssl(&["ec", "-in", ec, "-out", sec1.to_str().unwrap()]),
        "openssl ec"
    );
    assert!(std::fs::read_to_string(&sec1)
        .unwrap()
        .contains("BEGIN EC PRIVATE KEY"));
    assert!(openssl(&[
        "ec",
        "-in",
        ec,
        "-outform",
        "DER",
        "-out",
        der.to_str().unwrap()
    ]));
    for path in [&sec1, &der] {
        let k = SigningKey::from_file(path, None, None).unwrap();
        assert_eq!(jose::public_jwk(&k), jwk, "{}", path.display());
    }
    let _ = (std::fs::remove_file(sec1), std::fs::remove_file(der));
    let rsa = SigningKey::from_file(keys().join("pkcs8.pem"), None, None).unwrap();
    assert_eq!(jose::alg(&rsa), "PS256");
    assert_eq!(jose::public_jwk(&rsa)["kty"], "RSA");
    // RFC 7638 §3.1's example thumbprint.
    let example = serde_json::json!({"kty":"RSA","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"});
    assert_eq!(
        jose::jwk_thumbprint(&example),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

#[test]
fn es256_and_ps256_signatures_verify_with_openssl() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for (file, digest_args) in [
        ("ec.pem", vec![]),
        (
            "pkcs8.pem",
            vec![
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:32",
            ],
        ),
    ] {
        let path = keys().join(file);
        let key = SigningKey::from_file(&path, None, None).unwrap();
        let jws = jose::sign(
            &key,
            serde_json::json!({"typ": "JWT"}),
            &serde_json::json!({"a": 1}),
        )
        .unwrap();
        let parts: Vec<&str> = jws.expose().split('.').collect();
        let input = format!("{}.{}", parts[0], parts[1]);
        let mut sig = b64.decode(parts[2]).unwrap();
        if file == "ec.pem" {
            // JOSE's r||s to the DER openssl verifies.
            sig = der_ecdsa(&sig);
        }
        let (msg, sigf, pubf) = (
            temp(&format!("{file}.msg")),
            temp(&format!("{file}.sig")),
            temp(&format!("{file}.pub")),
        );
        std::fs::write(&msg, input).unwrap();
        std::fs::write(&sigf, sig).unwrap();
        assert!(openssl(&[
            "pkey",
            "-in",
            path.to_str().unwrap(),
            "-pubout",
            "-out",
            pubf.to_str().unwrap()
        ]));
        let mut args = vec![
            "dgst",
            "-sha256",
            "-verify",
            pubf.to_str().unwrap(),
            "-signature",
            sigf.to_str().unwrap(),
        ];
        args.extend(digest_args.iter());
        args.push(msg.to_str().unwrap());
        assert!(openssl(&args), "openssl verifies the {file} signature");
        for f in [msg, sigf, pubf] {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// An ECDSA signature as DER `SEQUENCE { INTEGER r, INTEGER s }` from JOSE's 64-byte r||s.
fn der_ecdsa(rs: &[u8]) -> Vec<u8> {
    let int = |b: &[u8]| {
        let mut v: Vec<u8> = b.iter().copied().skip_while(|x| *x == 0).collect();
        if v.first().is_none_or(|x| x & 0x80 != 0) {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    };
    let body = [int(&rs[..32]), int(&rs[32..])].concat();
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}
