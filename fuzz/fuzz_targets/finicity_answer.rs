//! Finicity answers of every shape (JSON with number or string codes, the `Errors` wrapper, XML,
//! text, empty) with any status and headers, through the one reader the partner authentication
//! and the request policy share (`finicity::response::parse`), then through both judges: the
//! authentication verdict and the policy's decision. Input: an HTTP answer (`finauth_fuzz::Answer`).
#![no_main]

use finauth::exchange::policy::{finicity_judges, Decision, Policy, Scheme};
use finauth::finicity::response::{self, AuthVerdict, ResourceVerdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let answer = finauth_fuzz::Answer::parse(data);
    let pairs = answer.pairs();
    let a = finauth::fuzzing::finicity_answer(answer.status, &pairs, answer.body);

    // The reader is a function of (status, Content-Type, body, Retry-After) alone. Compared where
    // the header map and a plain lookup must agree: at most one of each, visible ASCII.
    let lookup = |n: &str| -> Option<Option<&str>> {
        let mut found = answer
            .headers
            .iter()
            .filter(|(h, _)| h.eq_ignore_ascii_case(n));
        match (found.next(), found.next()) {
            (None, _) => Some(None),
            (Some((_, v)), None) if v.iter().all(|b| (0x20..0x7f).contains(b)) => {
                std::str::from_utf8(v).ok().map(|v| Some(v.trim()))
            }
            _ => None,
        }
    };
    let plain = matches!(lookup("content-type"), Some(_))
        && answer.headers.iter().all(|(n, _)| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if let (Some(ct), Some(retry)) = (lookup("content-type"), lookup("retry-after")) {
        if plain {
            let ct = ct.unwrap_or("");
            let again = response::parse(answer.status, ct, answer.body, retry);
            assert_eq!(a, again);
            assert_eq!(
                response::rejects_token(answer.status, ct, answer.body),
                again.rejects_token()
            );
        }
    }
    assert_eq!(a.status, answer.status);
    assert!(
        a.message.as_deref() != Some(""),
        "an empty message is no message"
    );
    assert!(a.retry_after.is_none_or(|d| d.as_secs() <= 86_400));

    // The authentication verdict: the Finicity code first, then the status.
    match (response::auth_verdict(&a), a.code) {
        (AuthVerdict::Locked(c), code) => assert!(c == 24302 && code == Some(24302)),
        (v, Some(24302)) => panic!("24302 without a lock verdict: {v:?}"),
        (AuthVerdict::Credential(_), Some(c)) => {
            assert!(matches!(c, 10001 | 10021) || answer.status == 401)
        }
        (AuthVerdict::Credential(_), None) => assert_eq!(answer.status, 401),
        (AuthVerdict::Ok(token), code) => {
            assert!((200..300).contains(&answer.status));
            assert!(!matches!(
                code,
                Some(10001 | 10021 | 10026 | 10027 | 12401 | 10005 | 14020 | 24437)
            ));
            assert_eq!(token, a.token);
        }
        (AuthVerdict::Other(_), Some(10001 | 10021)) => {
            panic!("a credential code without a credential verdict")
        }
        (AuthVerdict::Other(_), _) => {
            assert!(!(200..300).contains(&answer.status) || a.code.is_some())
        }
    }

    // The policy reads the body exactly where it judges, and agrees with the answer's verdict.
    let policy = Policy::new(Scheme::Finicity);
    let reading = policy.read(answer.status, pairs_as_text(&answer), answer.body);
    let judged = finicity_judges(answer.status);
    assert_eq!(policy.wants_body(answer.status), judged);
    let mut p = policy.clone();
    let first = p.decide(&reading, false);
    let second = p.decide(&reading, false);
    if !judged {
        assert_eq!(reading.finicity_code, None);
        assert_eq!(first, Decision::Done);
    }
    match reading.finicity_code {
        Some(24302) => assert_eq!(
            (&first, &second),
            (
                &Decision::Locked { code: 24302 },
                &Decision::Locked { code: 24302 }
            )
        ),
        Some(10022 | 10023) => {
            assert_eq!(first, Decision::Resend { new_token: true });
            assert!(matches!(second, Decision::Unauthorized { .. }));
        }
        _ => assert_eq!(first, Decision::Done),
    }
    if judged && plain {
        assert_eq!(reading.finicity_code, a.code);
    }
    if a.resource_verdict() == ResourceVerdict::TokenRejected && plain {
        assert_eq!(first, Decision::Resend { new_token: true });
    }
    // Observing an answer (the C API) and running the exchange stop on the same answers.
    if plain {
        assert_eq!(
            a.resource_verdict() == ResourceVerdict::AccountLocked,
            first == Decision::Locked { code: 24302 },
            "resource verdict and policy disagree on a lock"
        );
    }
});

/// The headers as text pairs (the policy's input): values that are not UTF-8 never reach it.
fn pairs_as_text<'a>(a: &'a finauth_fuzz::Answer<'_>) -> Vec<(&'a str, &'a str)> {
    a.headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str(), std::str::from_utf8(v).ok()?)))
        .collect()
}
