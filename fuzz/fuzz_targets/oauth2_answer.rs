//! OAuth 2.0 answers: the token endpoint's success and error answers (read by a Bearer and by a
//! DPoP client), `WWW-Authenticate` challenges and `DPoP-Nonce` headers of resource answers
//! (the request policy), and an issuer's metadata document, with any status and headers.
//! Input: an HTTP answer (`finauth_fuzz::Answer`).
#![no_main]

use finauth::exchange::policy::{Challenge, Decision, Policy, Scheme};
use finauth::fuzzing::{self, OAuth2Answers};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// What a client "sent"; no answer may echo it back.
const SENT: &str = "client-secret-fuzz";

fn answers() -> &'static OAuth2Answers {
    static A: OnceLock<OAuth2Answers> = OnceLock::new();
    A.get_or_init(|| {
        let key = finauth::SigningKey::from_file(
            finauth_fuzz::core_tests("oauth1-keys/ec.pem"),
            None,
            None,
        )
        .expect("the test EC key");
        OAuth2Answers::new(key).expect("a client that never sends")
    })
}

fuzz_target!(|data: &[u8]| {
    let answer = finauth_fuzz::Answer::parse(data);
    let pairs = answer.pairs();

    for dpop in [false, true] {
        let t = answers().token_answer(dpop, answer.status, &pairs, answer.body, &[SENT]);
        if let Ok((token, lifetime, refresh_after)) = &t.success {
            assert!(!token.is_empty());
            assert!(lifetime.as_secs_f64() >= 1.0 && lifetime.as_secs_f64() <= 1e9 + 1.0);
            assert!(refresh_after <= lifetime);
        }
        if let Some(e) = &t.oauth_error {
            assert!(e.error.chars().count() <= 64);
            assert!(!e.error.contains(SENT));
            assert!(!e.error_description.as_deref().unwrap_or("").contains(SENT));
        }
        assert!(t.correlation_id.is_none_or(|c| c.chars().count() <= 129));
        let _ = t.retry_after;
    }

    let (changed, nonce) = answers().learn_nonce("https://api.fuzz.invalid/x", &pairs);
    if changed {
        let n = nonce.expect("a learned nonce is kept");
        assert!(!n.is_empty() && n.len() <= 512 && n.trim() == n);
    }

    let text: Vec<(&str, &str)> = answer
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str(), std::str::from_utf8(v).ok()?)))
        .collect();
    for (name, value) in &text {
        if name.eq_ignore_ascii_case("www-authenticate") {
            for param in ["error", "error_description", "realm", "algs"] {
                if let Some(v) = fuzzing::auth_param(value, param) {
                    assert!(
                        value.contains(v.as_str()),
                        "a parameter value comes from the header"
                    );
                }
            }
        }
    }
    for dpop in [false, true] {
        let policy = Policy::new(Scheme::OAuth2 { dpop });
        assert!(!policy.wants_body(answer.status));
        let r = policy.read(answer.status, text.iter().copied(), answer.body);
        assert_eq!(r.finicity_code, None);
        for nonce_known in [false, true] {
            let mut p = policy.clone();
            let mut resends = 0;
            loop {
                match p.decide(&r, nonce_known) {
                    Decision::Resend { new_token } => {
                        assert_eq!(answer.status, 401);
                        assert!(new_token || (dpop && r.challenge == Challenge::UseDpopNonce));
                        resends += 1;
                        assert!(resends <= 2, "the policy resends at most once per budget");
                    }
                    Decision::Locked { .. } => panic!("OAuth 2.0 answers never lock"),
                    Decision::Done => {
                        assert_ne!(answer.status, 401);
                        break;
                    }
                    Decision::Unauthorized { .. } => break,
                }
            }
        }
    }

    // The body as an issuer's metadata document (discovery reads it with any status).
    let alg = answer.header("x-fuzz-alg");
    let _ = fuzzing::issuer_metadata("https://issuer.fuzz.invalid", answer.body, alg);
    let _ = fuzzing::issuer_metadata("https://issuer.fuzz.invalid/tenant/", answer.body, alg);
});
