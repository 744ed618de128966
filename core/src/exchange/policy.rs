//! The request policy as plain data: how an answer is read and what it means. No I/O, no clock:
//! [`Policy::decide`] is a pure state machine over one logical request, so every rule is tested
//! without a socket. [`super::Exchange`] applies its decisions (invalidate, record a lock).

use crate::finicity::response;

/// How many times one logical request is resent with a new token after the server rejected
/// the one sent.
pub const MAX_TOKEN_RESENDS: u32 = 1;
/// How many times one logical request is resent after a `use_dpop_nonce` challenge.
pub const MAX_NONCE_RESENDS: u32 = 1;

/// Whose answers these are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// A Finicity resource called with `Finicity-App-Key` and `Finicity-App-Token`.
    Finicity,
    /// A resource called with an OAuth 2.0 access token (`Authorization: Bearer|DPoP`).
    OAuth2 { dpop: bool },
}

/// What `WWW-Authenticate` says (RFC 6750 §3, RFC 9449 §7.1), for a 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// No `error` parameter, or no header at all.
    None,
    /// `error="use_dpop_nonce"`: resend with the nonce the answer carried.
    UseDpopNonce,
    /// Any other error (`invalid_token`, ...): the token was refused.
    Other,
}

/// An answer reduced to what the policy decides on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub status: u16,
    /// The Finicity code of the body, for the statuses whose body is judged.
    pub finicity_code: Option<u32>,
    pub challenge: Challenge,
    /// The answer carried a `DPoP-Nonce` header.
    pub nonce_offered: bool,
}

/// What to do with an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Hand the answer to the caller as it is.
    Done,
    /// Send the request again; first invalidate the token sent when `new_token`.
    Resend { new_token: bool },
    /// 24302: record the lock (every caller sharing the store stops) and fail.
    Locked { code: u32 },
    /// The server still rejects the token after the resends the policy allows.
    Unauthorized { status: u16, code: Option<u32> },
}

/// The state of one logical request.
#[derive(Debug, Clone)]
pub struct Policy {
    scheme: Scheme,
    token_resends: u32,
    nonce_resends: u32,
}

/// The statuses whose Finicity body is read: Finicity sends 10022/10023 and 24302 with 401, or
/// with 500 as its error-code page allows. Every other answer is passed on unread.
pub fn finicity_judges(status: u16) -> bool {
    matches!(status, 401 | 500)
}

impl Policy {
    pub fn new(scheme: Scheme) -> Self {
        Policy {
            scheme,
            token_resends: 0,
            nonce_resends: 0,
        }
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether the body of an answer with this status is needed (integrations can skip reading
    /// the others, e.g. a streamed 200).
    pub fn wants_body(&self, status: u16) -> bool {
        match self.scheme {
            Scheme::Finicity => finicity_judges(status),
            Scheme::OAuth2 { .. } => false,
        }
    }

    /// Whether [`Policy::decide`] can answer anything but `Done` (or the exchange learn anything)
    /// for an answer with this status; `nonce_offered`: it carries a `DPoP-Nonce` header. A
    /// binding may hand every other answer straight to its caller without observing it.
    pub fn judges(&self, status: u16, nonce_offered: bool) -> bool {
        match self.scheme {
            Scheme::Finicity => finicity_judges(status),
            Scheme::OAuth2 { dpop } => status == 401 || (dpop && nonce_offered),
        }
    }

    /// The statuses [`Policy::judges`] is true for (without a nonce), as data for bindings
    /// that filter answers before calling into the core.
    pub fn judged_statuses(&self) -> &'static [u16] {
        match self.scheme {
            Scheme::Finicity => &[401, 500],
            Scheme::OAuth2 { .. } => &[401],
        }
    }

    /// Read an answer: `headers` as (name, value) pairs in any case, `body` only as far as
    /// [`Policy::wants_body`] asks.
    pub fn read<'h>(
        &self,
        status: u16,
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
        body: &[u8],
    ) -> Reading {
        let mut content_type = "";
        let mut challenge = Challenge::None;
        let mut nonce_offered = false;
        for (name, value) in headers {
            if name.eq_ignore_ascii_case("content-type") {
                content_type = value;
            } else if name.eq_ignore_ascii_case("www-authenticate") {
                match auth_param(value, "error") {
                    Some(e) if e == "use_dpop_nonce" => challenge = Challenge::UseDpopNonce,
                    Some(_) if challenge == Challenge::None => challenge = Challenge::Other,
                    _ => {}
                }
            } else if name.eq_ignore_ascii_case("dpop-nonce") && !value.trim().is_empty() {
                nonce_offered = true;
            }
        }
        let finicity_code = match self.scheme {
            Scheme::Finicity if finicity_judges(status) => {
                response::parse(status, content_type, body, None).code
            }
            _ => None,
        };
        Reading {
            status,
            finicity_code,
            challenge,
            nonce_offered,
        }
    }

    /// Decide on one answer. `nonce_known`: a nonce for this server was learned before (or from
    /// this answer), so a `use_dpop_nonce` resend can carry one.
    pub fn decide(&mut self, r: &Reading, nonce_known: bool) -> Decision {
        match self.scheme {
            Scheme::Finicity => self.decide_finicity(r),
            Scheme::OAuth2 { dpop } => self.decide_oauth2(r, dpop, nonce_known),
        }
    }

    fn decide_finicity(&mut self, r: &Reading) -> Decision {
        if !finicity_judges(r.status) {
            return Decision::Done;
        }
        match r.finicity_code {
            // On every attempt, the resent one included.
            Some(24302) => Decision::Locked { code: 24302 },
            Some(10022 | 10023) => self.token_resend(r),
            _ => Decision::Done,
        }
    }

    fn decide_oauth2(&mut self, r: &Reading, dpop: bool, nonce_known: bool) -> Decision {
        if r.status != 401 {
            return Decision::Done;
        }
        if r.challenge == Challenge::UseDpopNonce {
            // A resend without a nonce would be the same request again.
            if dpop && self.nonce_resends < MAX_NONCE_RESENDS && (r.nonce_offered || nonce_known) {
                self.nonce_resends += 1;
                return Decision::Resend { new_token: false };
            }
            return Decision::Unauthorized {
                status: 401,
                code: None,
            };
        }
        self.token_resend(r)
    }

    fn token_resend(&mut self, r: &Reading) -> Decision {
        if self.token_resends < MAX_TOKEN_RESENDS {
            self.token_resends += 1;
            Decision::Resend { new_token: true }
        } else {
            Decision::Unauthorized {
                status: r.status,
                code: r.finicity_code,
            }
        }
    }
}

/// The value of an auth-param (`name=token` or `name="quoted"`) in a `WWW-Authenticate` value.
pub(crate) fn auth_param(header: &str, name: &str) -> Option<String> {
    let bytes = header.as_bytes();
    let mut i = 0;
    while let Some(found) = header[i..]
        .to_ascii_lowercase()
        .find(&name.to_ascii_lowercase())
    {
        let start = i + found;
        let before_ok = start == 0 || matches!(bytes[start - 1], b' ' | b',' | b'\t');
        let mut j = start + name.len();
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        if before_ok && j < bytes.len() && bytes[j] == b'=' {
            j += 1;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'"' {
                let rest = &header[j + 1..];
                let end = rest.find('"').unwrap_or(rest.len());
                return Some(rest[..end].to_owned());
            }
            let rest = &header[j..];
            let end = rest.find([',', ' ']).unwrap_or(rest.len());
            return Some(rest[..end].to_owned());
        }
        i = start + name.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: (&str, &str) = ("Content-Type", "application/json");

    fn finicity(status: u16, body: &str) -> Reading {
        Policy::new(Scheme::Finicity).read(status, [JSON], body.as_bytes())
    }

    #[test]
    fn a_rejected_finicity_token_is_resent_once_then_unauthorized() {
        let mut p = Policy::new(Scheme::Finicity);
        let r = finicity(401, r#"{"code":10023,"message":"Expired"}"#);
        assert_eq!(p.decide(&r, false), Decision::Resend { new_token: true });
        assert_eq!(
            p.decide(&r, false),
            Decision::Unauthorized {
                status: 401,
                code: Some(10023)
            }
        );
    }

    #[test]
    fn a_24302_locks_on_every_attempt_the_resent_one_included() {
        let mut p = Policy::new(Scheme::Finicity);
        let expired = finicity(500, r#"{"code":"10022"}"#);
        assert_eq!(
            p.decide(&expired, false),
            Decision::Resend { new_token: true }
        );
        let locked = finicity(
            500,
            r#"{"Errors":{"Error":[{"ReasonCode":"24302","Description":"Bad credentials"}]}}"#,
        );
        assert_eq!(p.decide(&locked, false), Decision::Locked { code: 24302 });
        let mut fresh = Policy::new(Scheme::Finicity);
        assert_eq!(
            fresh.decide(&finicity(401, r#"{"code":24302}"#), false),
            Decision::Locked { code: 24302 }
        );
    }

    #[test]
    fn only_401_and_500_bodies_are_judged_for_finicity() {
        let p = Policy::new(Scheme::Finicity);
        for status in [200, 400, 403, 404, 429, 502, 503] {
            assert!(!p.wants_body(status), "{status}");
            let mut q = p.clone();
            assert_eq!(
                q.decide(&finicity(status, r#"{"code":24302}"#), false),
                Decision::Done,
                "{status}"
            );
        }
        assert!(p.wants_body(401) && p.wants_body(500));
        let mut q = p.clone();
        assert_eq!(
            q.decide(&finicity(401, r#"{"code":10027}"#), false),
            Decision::Done
        );
    }

    fn oauth2(dpop: bool, headers: &[(&str, &str)]) -> (Policy, Reading) {
        let p = Policy::new(Scheme::OAuth2 { dpop });
        let r = p.read(401, headers.iter().copied(), b"");
        (p, r)
    }

    #[test]
    fn a_dpop_nonce_challenge_is_resent_exactly_once_with_the_same_token() {
        let challenge = [
            (
                "WWW-Authenticate",
                r#"DPoP error="use_dpop_nonce", error_description="x""#,
            ),
            ("DPoP-Nonce", "n1"),
        ];
        let (mut p, r) = oauth2(true, &challenge);
        assert_eq!(r.challenge, Challenge::UseDpopNonce);
        assert_eq!(p.decide(&r, true), Decision::Resend { new_token: false });
        assert_eq!(
            p.decide(&r, true),
            Decision::Unauthorized {
                status: 401,
                code: None
            }
        );
        // Without DPoP, or without any nonce to send, a resend would change nothing.
        let (mut bearer, r) = oauth2(false, &challenge);
        assert!(matches!(
            bearer.decide(&r, true),
            Decision::Unauthorized { .. }
        ));
        let (mut none, r) = oauth2(true, &challenge[..1]);
        assert!(matches!(
            none.decide(&r, false),
            Decision::Unauthorized { .. }
        ));
    }

    #[test]
    fn an_invalid_oauth2_token_is_invalidated_and_resent_once() {
        for headers in [
            &[("www-authenticate", r#"Bearer error="invalid_token""#)][..],
            &[][..],
        ] {
            let (mut p, r) = oauth2(false, headers);
            assert_eq!(p.decide(&r, false), Decision::Resend { new_token: true });
            assert!(matches!(p.decide(&r, false), Decision::Unauthorized { .. }));
        }
        // A nonce resend and a token resend are separate budgets: at most three sends.
        let (mut p, nonce) = oauth2(
            true,
            &[
                ("WWW-Authenticate", "DPoP error=use_dpop_nonce"),
                ("DPoP-Nonce", "n"),
            ],
        );
        let (_, invalid) = oauth2(true, &[("WWW-Authenticate", "DPoP error=invalid_token")]);
        assert_eq!(
            p.decide(&nonce, true),
            Decision::Resend { new_token: false }
        );
        assert_eq!(
            p.decide(&invalid, true),
            Decision::Resend { new_token: true }
        );
        assert!(matches!(
            p.decide(&invalid, true),
            Decision::Unauthorized { .. }
        ));
        let mut q = Policy::new(Scheme::OAuth2 { dpop: true });
        assert_eq!(q.decide(&q.read(403, [], b""), false), Decision::Done);
    }

    #[test]
    fn judged_statuses_are_exactly_those_decide_can_act_on() {
        for scheme in [
            Scheme::Finicity,
            Scheme::OAuth2 { dpop: false },
            Scheme::OAuth2 { dpop: true },
        ] {
            let p = Policy::new(scheme);
            for status in 100..600u16 {
                let listed = p.judged_statuses().contains(&status);
                assert_eq!(p.judges(status, false), listed, "{scheme:?} {status}");
                if !listed {
                    // Whatever the body or challenge, an unjudged status is Done.
                    let r = p.read(
                        status,
                        [
                            ("Content-Type", "application/json"),
                            ("WWW-Authenticate", "Bearer error=\"invalid_token\""),
                        ],
                        br#"{"code":24302}"#,
                    );
                    assert_eq!(
                        p.clone().decide(&r, true),
                        Decision::Done,
                        "{scheme:?} {status}"
                    );
                }
            }
        }
        assert!(Policy::new(Scheme::OAuth2 { dpop: true }).judges(200, true));
        assert!(!Policy::new(Scheme::OAuth2 { dpop: false }).judges(200, true));
    }

    #[test]
    fn auth_params_quoted_or_not_in_any_case() {
        assert_eq!(
            auth_param(r#"DPoP algs="ES256", error="use_dpop_nonce""#, "error").as_deref(),
            Some("use_dpop_nonce")
        );
        assert_eq!(
            auth_param("Bearer realm=x, Error=invalid_token", "error").as_deref(),
            Some("invalid_token")
        );
        assert_eq!(auth_param("Bearer error_description=\"e\"", "error"), None);
        assert_eq!(auth_param("Bearer", "error"), None);
    }
}
