//! The scripted token server, reached through the engine's own seam: a [`TokenSource`] whose
//! `fetch` is one authentication request. The server counts calls per secret, answers OK, wrong
//! secret or locked by its own rules (locked for good after its 5th wrong secret in a row), and
//! 5xx or slow as the seed says. Slow answers are slow either before the server reads the request
//! (a client that gives up first was never heard) or after it decided (the verdict counts at the
//! server even if the client never reads it).

use super::world::{lock, Shared, TokenInfo, World, SECRETS};
use finauth::lifecycle::{FetchError, Fetched, TokenSource};
use finauth::store::IdentityKey;
use finauth::{AccessToken, Error, Secret};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// What Finicity answers once it locked an account.
pub const LOCKED_CODE: u32 = 24302;
/// The server locks after this many wrong secrets in a row.
pub const SERVER_LOCKS_AFTER: u32 = 5;

pub struct SimSource {
    pub identity: IdentityKey,
    pub secret: Mutex<Secret>,
    pub world: Shared,
    pub pid: usize,
    pub incarnation: u32,
    pub timeout: Duration,
    pub refresh_after: Duration,
    pub lifetime: Duration,
}

#[derive(Clone, Copy, Debug)]
enum Script {
    Normal { before_ms: u64, after_ms: u64 },
    Fault5xx,
    SlowBefore(u64),
    SlowAfter(u64),
}

/// What a process sent, as the model remembers it while the request is on its way.
pub struct Sent {
    pid: usize,
    incarnation: u32,
    secret: String,
    sent_ms: u64,
    /// The token version and record of the sender's last `Load`.
    seen_version: u64,
    seen_token: Option<String>,
    /// The lease the sender held.
    fence: Option<u64>,
}

pub enum Answer {
    Ok(String),
    Wrong,
    Locked,
    Fault5xx,
}

impl SimSource {
    async fn call(&self, secret: String, judged_wrong: &AtomicBool) -> Result<Fetched, FetchError> {
        let sent = {
            let mut w = lock(&self.world);
            if w.alive(self.pid, self.incarnation) {
                Some(w.send(self.pid, &secret))
            } else {
                None
            }
        };
        let Some((sent, script)) = sent else {
            return std::future::pending().await;
        };
        let (before, after) = match script {
            Script::Normal {
                before_ms,
                after_ms,
            } => (before_ms, after_ms),
            Script::Fault5xx => (0, 50),
            Script::SlowBefore(ms) => (ms, 0),
            Script::SlowAfter(ms) => (0, ms),
        };
        sleep_ms(before).await;
        // The request reached the server: it decides even if the client has died since.
        let answer = lock(&self.world).serve(&sent, matches!(script, Script::Fault5xx));
        judged_wrong.store(matches!(answer, Answer::Wrong), Ordering::SeqCst);
        sleep_ms(after).await;
        let delivered = {
            let mut w = lock(&self.world);
            if w.alive(self.pid, self.incarnation) {
                match &answer {
                    Answer::Wrong => {
                        w.procs[self.pid].told_rejected.insert(secret.clone());
                    }
                    Answer::Ok(t) => {
                        let number = w.server.tokens.get(t).map(|i| i.number).unwrap_or(0);
                        w.count_delivered(&sent, number);
                    }
                    _ => {}
                }
                true
            } else {
                false
            }
        };
        if !delivered {
            return std::future::pending().await;
        }
        match answer {
            Answer::Ok(token) => Ok(Fetched {
                token: AccessToken::new(token),
                refresh_after: self.refresh_after,
                lifetime: self.lifetime,
            }),
            Answer::Wrong => Err(FetchError::Credential {
                code: Some(10001),
                oauth: None,
            }),
            Answer::Locked => Err(FetchError::Locked { code: LOCKED_CODE }),
            Answer::Fault5xx => Err(FetchError::Other(Error::Server {
                status: 503,
                code: None,
                message: "scripted fault".into(),
                oauth: None,
            })),
        }
    }
}

async fn sleep_ms(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

pub fn secret_label(secret: &str) -> &str {
    secret.strip_prefix("sim-").unwrap_or("?")
}

impl TokenSource for SimSource {
    fn identity(&self) -> &IdentityKey {
        &self.identity
    }

    fn credential(&self) -> Secret {
        self.secret.lock().unwrap().clone()
    }

    async fn fetch(&self, credential: &Secret) -> Result<Fetched, FetchError> {
        let secret = credential.expose().to_owned();
        // The client's own bound on the request, as the HTTP client's time-out is in production.
        let judged_wrong = AtomicBool::new(false);
        match tokio::time::timeout(self.timeout, self.call(secret, &judged_wrong)).await {
            Ok(r) => r,
            Err(_) => {
                let mut w = lock(&self.world);
                if w.alive(self.pid, self.incarnation) {
                    let (pid, inc) = (self.pid, self.incarnation);
                    if judged_wrong.load(Ordering::SeqCst) {
                        // A verdict the client never heard: the engine counts the unanswered
                        // request as a failure, so the bound holds without it.
                        w.server.lost_wrong_total += 1;
                        w.log(format!(
                            "p{pid}.{inc} request timed out; the server had said WRONG"
                        ));
                    } else {
                        w.log(format!("p{pid}.{inc} request timed out"));
                    }
                }
                // Sent (the scripted server may have judged it): as the HTTP client reports a
                // time-out after connecting.
                Err(FetchError::Unanswered(Error::Timeout {
                    after: self.timeout,
                    what: "authentication request".into(),
                }))
            }
        }
    }

    fn replace_credential(&self, old: &Secret, new: Secret) -> bool {
        let mut s = self.secret.lock().unwrap();
        if s.ct_eq(old) {
            *s = new;
            true
        } else {
            false
        }
    }
}

impl World {
    /// A process sends one authentication request: the invariants about what may be sent, and
    /// the script's answer for it.
    fn send(&mut self, pid: usize, secret: &str) -> (Sent, Script) {
        let inc = self.procs[pid].incarnation;
        let label = secret_label(secret).to_owned();
        let now = self.now_ms();
        // The engine sends right after its reservation: that fingerprint is this secret's.
        let p = &mut self.procs[pid];
        if let Some(fp) = p.reserved_fp.take() {
            self.facts.fp_secret.insert(fp, secret.to_owned());
        }
        let sent = Sent {
            pid,
            incarnation: inc,
            secret: secret.to_owned(),
            sent_ms: now,
            seen_version: p.seen_version,
            seen_token: p.seen_token.clone().filter(|t| !p.invalidated.contains(t)),
            fence: p.held_fence,
        };
        let told = p.told_rejected.contains(secret);
        self.server.calls += 1;
        *self
            .server
            .calls_per_secret
            .entry(label.clone())
            .or_default() += 1;
        // A locked identity is never called again once the store knows it is locked.
        if self.facts.recorded_locked {
            self.violate(format!(
                "p{pid}.{inc} called the server after the store recorded the lock"
            ));
        } else if self.server.said_locked {
            self.facts.calls_after_unrecorded_lock += 1;
        }
        // A rejected secret is never sent again once the store knows it was rejected, and never
        // by a process that was told so.
        if self.facts.recorded_rejected.contains(secret) {
            self.violate(format!(
                "p{pid}.{inc} sent {label} after the store recorded its rejection"
            ));
        } else if self.server.rejected.contains(secret) {
            self.facts.resent_unrecorded_rejections += 1;
        }
        if told {
            self.violate(format!(
                "p{pid}.{inc} sent {label} again after it was told it was rejected"
            ));
        }
        self.check_not_redundant(&sent);
        let p = self.params.clone();
        let roll = self.rng.below(1000);
        let slow_ms = self.rng.range(1_000, p.timeout.as_millis() as u64 * 3 / 2);
        let script = if roll < p.server_5xx_per_mille {
            Script::Fault5xx
        } else if roll < p.server_5xx_per_mille + p.server_slow_per_mille / 2 {
            Script::SlowBefore(slow_ms)
        } else if roll < p.server_5xx_per_mille + p.server_slow_per_mille {
            Script::SlowAfter(slow_ms)
        } else {
            Script::Normal {
                before_ms: self.rng.below(200),
                after_ms: self.rng.below(200),
            }
        };
        self.log(format!("p{pid}.{inc} sends {label} ({script:?})"));
        (sent, script)
    }

    /// The request reaches the server, which decides by its own rules.
    fn serve(&mut self, sent: &Sent, fault: bool) -> Answer {
        let (pid, inc, secret) = (sent.pid, sent.incarnation, sent.secret.as_str());
        let label = secret_label(secret).to_owned();
        let answer = if self.server.locked {
            self.server.said_locked = true;
            Answer::Locked
        } else if fault {
            Answer::Fault5xx
        } else if secret == SECRETS[self.server.secret] {
            self.server.wrong_in_a_row = 0;
            self.server.next_token += 1;
            let number = self.server.next_token;
            let token = format!("sim-token-{number}");
            self.server.tokens.insert(
                token.clone(),
                TokenInfo {
                    issued_ms: sent.sent_ms,
                    number,
                },
            );
            Answer::Ok(token)
        } else {
            self.server.wrong_in_a_row += 1;
            self.server.wrong_total += 1;
            self.server.rejected.insert(secret.to_owned());
            let (n, max) = (self.server.wrong_in_a_row, self.params.max_failed_attempts);
            if n > max {
                self.violate(format!(
                    "{n} wrong secrets in a row reached the server (max_failed_attempts {max})"
                ));
            }
            if n >= SERVER_LOCKS_AFTER {
                self.server.locked = true;
            }
            Answer::Wrong
        };
        let what = match &answer {
            Answer::Ok(t) => format!("OK t{}", t.rsplit('-').next().unwrap_or("?")),
            Answer::Wrong => format!("WRONG ({} in a row)", self.server.wrong_in_a_row),
            Answer::Locked => "LOCKED".into(),
            Answer::Fault5xx => "503".into(),
        };
        self.log(format!("server -> p{pid}.{inc} {label}: {what}"));
        answer
    }

    /// Outside an expired lease, one authentication per refresh for the whole fleet (1): no
    /// request while the record the sender last saw was still fresh.
    fn check_not_redundant(&mut self, sent: &Sent) {
        let (pid, inc, base) = (sent.pid, sent.incarnation, sent.seen_version);
        let Some(info) = sent
            .seen_token
            .as_ref()
            .and_then(|t| self.server.tokens.get(t))
        else {
            return;
        };
        let fresh_until = info.issued_ms + self.params.refresh_after.as_millis() as u64;
        // A forward jump since the token was issued makes its record look older to everyone.
        let jumped = self
            .facts
            .forward_jump_ms
            .is_some_and(|j| j >= info.issued_ms);
        let excused = self.facts.excused_bases.contains(&base) || self.lease_broken(sent);
        if self.now_ms() < fresh_until && !excused && !jumped {
            let seen_n = info.number;
            self.violate(format!(
                "p{pid}.{inc} authenticates although the store held t{seen_n}, fresh until {fresh_until}"
            ));
        }
    }

    /// The sender's lease expired under it: it may overlap with the next holder, by design.
    fn lease_broken(&self, sent: &Sent) -> bool {
        sent.fence
            .is_some_and(|f| self.facts.broken_fences.contains(&f))
    }

    /// (2): at most one token delivered per token version the authenticators saw. A token whose
    /// answer was lost (the client gave up, or died) refreshed nothing and does not count.
    fn count_delivered(&mut self, sent: &Sent, number: u64) {
        let (pid, inc, base) = (sent.pid, sent.incarnation, sent.seen_version);
        let broken = self.lease_broken(sent);
        let excused = self.facts.excused_bases.contains(&base);
        let delivered = self.facts.ok_per_base.entry(base).or_default();
        delivered.push(broken);
        let count = delivered.len();
        let any_broken = delivered.iter().any(|b| *b);
        if count > 1 && !excused && !any_broken {
            self.violate(format!(
                "p{pid}.{inc} got t{number}: token #{count} delivered for token version {base} without an expired lease"
            ));
        }
    }
}
