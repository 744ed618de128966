//! The shared state of one identity and the atomic operations on it. Every store applies the same
//! operations; `MemoryStore` and `FileStore` run [`IdentityState::apply`] under their lock, so the
//! guard's rules are written once.

use crate::secret::Secret;
use serde::{Deserialize, Serialize};

/// A token as shared between processes: wall-clock milliseconds since the Unix epoch.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenRecord {
    #[serde(with = "secret_serde")]
    pub token: Secret,
    pub issued_at_ms: u64,
    pub refresh_at_ms: u64,
    pub expires_at_ms: u64,
}

/// A rejected or retired secret, by keyed fingerprint (never the secret).
pub type Fingerprint = String;

/// Modify Partner Secret recorded for the other processes: the successor sealed under a key only
/// the holders of the old secret can derive.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Rotation {
    pub old_fingerprint: Fingerprint,
    pub new_fingerprint: Fingerprint,
    /// Base64 of nonce || AES-256-GCM ciphertext of the new secret.
    pub sealed: String,
    pub at_ms: u64,
}

/// An authentication attempt whose outcome is not known yet.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Reservation {
    pub id: u64,
    pub expires_at_ms: u64,
}

/// The refresh lease: one refresher per identity across processes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Lease {
    pub fence: u64,
    pub holder: String,
    pub expires_at_ms: u64,
}

/// The server's lock verdict (24302).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Locked {
    pub code: u32,
    pub at_ms: u64,
}

const MAX_REJECTED: usize = 32;
const MAX_ROTATIONS: usize = 8;

/// Everything a store keeps for one identity.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct IdentityState {
    /// Key of the secret fingerprints (random, made on first use, shared by all processes).
    #[serde(default)]
    pub fingerprint_salt: String,
    #[serde(default)]
    pub token: Option<TokenRecord>,
    /// Credential failures since the last success (crashed attempts count as failures).
    #[serde(default)]
    pub failed_attempts: u32,
    #[serde(default)]
    pub reservations: Vec<Reservation>,
    /// Ids of reservations that expired and were counted as failures (a late settle corrects them).
    #[serde(default)]
    pub expired_counted: Vec<u64>,
    #[serde(default)]
    pub rejected: Vec<Fingerprint>,
    #[serde(default)]
    pub locked: Option<Locked>,
    #[serde(default)]
    pub lease: Option<Lease>,
    #[serde(default)]
    pub fence_counter: u64,
    #[serde(default)]
    pub rotations: Vec<Rotation>,
    #[serde(default)]
    pub next_id: u64,
}

/// How an authentication attempt ended, as far as the guard is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Token issued: the failure count starts again from zero.
    Success,
    /// The server rejected the secret: the slot stays used and the secret is remembered.
    CredentialFailure,
    /// The server says the account is locked.
    Locked { code: u32 },
    /// No verdict on the secret (network, 5xx, App Key, rate limit): the slot is released.
    Neutral,
    /// The request may have reached the server, but no answer came back (a time-out or a
    /// connection lost after sending). The server may have judged the secret wrong, so the slot
    /// stays used as a failure, as a crashed attempt's does; the secret is not remembered as
    /// rejected, since no rejection was heard. A later success starts the count again.
    Unanswered,
}

/// The answer to a reservation request.
#[derive(Clone, Debug, PartialEq)]
pub enum ReserveOutcome {
    Granted { reservation: u64 },
    Locked { code: u32 },
    SecretRejected { failed_attempts: u32 },
    SecretRetired { rotation: Rotation },
    Exhausted { failed_attempts: u32 },
}

/// One atomic operation on an identity's state.
#[derive(Clone, Debug)]
pub enum StoreOp {
    /// Read everything (creates the fingerprint salt if missing).
    Load,
    AcquireLease {
        holder: String,
        ttl_ms: u64,
    },
    ReleaseLease {
        fence: u64,
    },
    /// Accepted only while no newer lease was granted since `fence`.
    PublishToken {
        record: TokenRecord,
        fence: u64,
    },
    /// Compare-and-delete: drop the shared token only if it is still this one.
    DropToken {
        token: Secret,
    },
    Reserve {
        fingerprint: Fingerprint,
        max_failed_attempts: u32,
        ttl_ms: u64,
    },
    Settle {
        reservation: u64,
        fingerprint: Fingerprint,
        outcome: AttemptOutcome,
    },
    ResetGuard,
    /// The server answered 24302 on some call: stop everyone.
    MarkLocked {
        code: u32,
    },
    RecordRotation {
        rotation: Rotation,
    },
}

/// The result of a [`StoreOp`].
#[derive(Clone, Debug)]
pub enum StoreReply {
    Snapshot(Box<IdentityState>),
    Lease(Option<u64>),
    Published(bool),
    Dropped(bool),
    Reserve(ReserveOutcome),
    Done,
}

impl IdentityState {
    /// Crashed or abandoned attempts: unknown outcome, so they count as failures.
    fn expire_reservations(&mut self, now_ms: u64) {
        let (live, expired): (Vec<_>, Vec<_>) = std::mem::take(&mut self.reservations)
            .into_iter()
            .partition(|r| r.expires_at_ms > now_ms);
        self.reservations = live;
        self.failed_attempts = self.failed_attempts.saturating_add(expired.len() as u32);
        self.expired_counted.extend(expired.iter().map(|r| r.id));
        let excess = self.expired_counted.len().saturating_sub(MAX_REJECTED);
        self.expired_counted.drain(..excess);
    }

    fn ensure_salt(&mut self) {
        if self.fingerprint_salt.is_empty() {
            if let Some(salt) = crate::fingerprint::new_salt() {
                self.fingerprint_salt = salt;
            }
        }
    }

    /// Applies `op` at wall time `now_ms`. Pure apart from making a salt.
    pub fn apply(&mut self, now_ms: u64, op: StoreOp) -> StoreReply {
        self.ensure_salt();
        self.expire_reservations(now_ms);
        if self
            .lease
            .as_ref()
            .is_some_and(|l| l.expires_at_ms <= now_ms)
        {
            self.lease = None;
        }
        match op {
            StoreOp::Load => StoreReply::Snapshot(Box::new(self.clone())),
            StoreOp::AcquireLease { holder, ttl_ms } => {
                if self.lease.is_some() {
                    return StoreReply::Lease(None);
                }
                // Saturating: a stored document may hold any number (one at u64::MAX panicked).
                self.fence_counter = self.fence_counter.saturating_add(1);
                self.lease = Some(Lease {
                    fence: self.fence_counter,
                    holder,
                    expires_at_ms: now_ms.saturating_add(ttl_ms),
                });
                StoreReply::Lease(Some(self.fence_counter))
            }
            StoreOp::ReleaseLease { fence } => {
                if self.lease.as_ref().is_some_and(|l| l.fence == fence) {
                    self.lease = None;
                }
                StoreReply::Done
            }
            StoreOp::PublishToken { record, fence } => {
                if self.fence_counter != fence {
                    return StoreReply::Published(false);
                }
                self.token = Some(record);
                StoreReply::Published(true)
            }
            StoreOp::DropToken { token } => {
                let same = self.token.as_ref().is_some_and(|r| r.token.ct_eq(&token));
                if same {
                    self.token = None;
                }
                StoreReply::Dropped(same)
            }
            StoreOp::Reserve {
                fingerprint,
                max_failed_attempts,
                ttl_ms,
            } => {
                StoreReply::Reserve(self.reserve(now_ms, fingerprint, max_failed_attempts, ttl_ms))
            }
            StoreOp::Settle {
                reservation,
                fingerprint,
                outcome,
            } => {
                self.settle(now_ms, reservation, fingerprint, outcome);
                StoreReply::Done
            }
            StoreOp::ResetGuard => {
                self.failed_attempts = 0;
                self.reservations.clear();
                self.expired_counted.clear();
                self.rejected.clear();
                self.locked = None;
                StoreReply::Done
            }
            StoreOp::MarkLocked { code } => {
                self.locked = Some(Locked {
                    code,
                    at_ms: now_ms,
                });
                StoreReply::Done
            }
            StoreOp::RecordRotation { rotation } => {
                self.rotations
                    .retain(|r| r.old_fingerprint != rotation.old_fingerprint);
                self.rotations.push(rotation);
                let excess = self.rotations.len().saturating_sub(MAX_ROTATIONS);
                self.rotations.drain(..excess);
                StoreReply::Done
            }
        }
    }

    fn reserve(
        &mut self,
        now_ms: u64,
        fingerprint: Fingerprint,
        max: u32,
        ttl_ms: u64,
    ) -> ReserveOutcome {
        if let Some(l) = &self.locked {
            return ReserveOutcome::Locked { code: l.code };
        }
        if let Some(r) = self
            .rotations
            .iter()
            .find(|r| r.old_fingerprint == fingerprint)
        {
            return ReserveOutcome::SecretRetired {
                rotation: r.clone(),
            };
        }
        if self.rejected.contains(&fingerprint) {
            return ReserveOutcome::SecretRejected {
                failed_attempts: self.failed_attempts,
            };
        }
        if self.attempts_used() >= max {
            return ReserveOutcome::Exhausted {
                failed_attempts: self.failed_attempts,
            };
        }
        self.next_id = self.next_id.saturating_add(1);
        let id = self.next_id;
        self.reservations.push(Reservation {
            id,
            expires_at_ms: now_ms.saturating_add(ttl_ms),
        });
        ReserveOutcome::Granted { reservation: id }
    }

    fn settle(
        &mut self,
        now_ms: u64,
        reservation: u64,
        fingerprint: Fingerprint,
        outcome: AttemptOutcome,
    ) {
        self.reservations.retain(|r| r.id != reservation);
        // A reservation that already expired was counted as a failure: do not count it twice, and
        // give it back if it was no failure. One this store never granted (made in the fallback
        // while the store was down) was never counted here.
        let counted = self.expired_counted.contains(&reservation);
        self.expired_counted.retain(|id| *id != reservation);
        match outcome {
            AttemptOutcome::Success => {
                self.failed_attempts = 0;
            }
            AttemptOutcome::CredentialFailure => {
                if !counted {
                    self.failed_attempts = self.failed_attempts.saturating_add(1);
                }
                if !self.rejected.contains(&fingerprint) {
                    self.rejected.push(fingerprint);
                    let excess = self.rejected.len().saturating_sub(MAX_REJECTED);
                    self.rejected.drain(..excess);
                }
            }
            AttemptOutcome::Locked { code } => {
                if !counted {
                    self.failed_attempts = self.failed_attempts.saturating_add(1);
                }
                self.locked = Some(Locked {
                    code,
                    at_ms: now_ms,
                });
            }
            AttemptOutcome::Unanswered => {
                if !counted {
                    self.failed_attempts = self.failed_attempts.saturating_add(1);
                }
            }
            AttemptOutcome::Neutral => {
                if counted {
                    // Counted as a failure when it expired; it was not one.
                    self.failed_attempts = self.failed_attempts.saturating_sub(1);
                }
            }
        }
    }

    /// Attempts left before the guard refuses.
    pub fn attempts_remaining(&self, max: u32) -> u32 {
        max.saturating_sub(self.attempts_used())
    }

    /// Failures plus attempts in flight, saturating (the counts come from a stored document).
    fn attempts_used(&self) -> u32 {
        let in_flight = u32::try_from(self.reservations.len()).unwrap_or(u32::MAX);
        self.failed_attempts.saturating_add(in_flight)
    }
}

mod secret_serde {
    use crate::secret::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &Secret, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.expose())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Secret, D::Error> {
        let s = zeroize::Zeroizing::new(String::deserialize(de)?);
        Ok(Secret::new(s.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reserve(s: &mut IdentityState, now: u64, fp: &str) -> ReserveOutcome {
        match s.apply(
            now,
            StoreOp::Reserve {
                fingerprint: fp.into(),
                max_failed_attempts: 3,
                ttl_ms: 1000,
            },
        ) {
            StoreReply::Reserve(r) => r,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn concurrent_reservations_cannot_overshoot_the_limit() {
        let mut s = IdentityState::default();
        for i in 0..3 {
            assert!(matches!(
                reserve(&mut s, 0, &format!("fp{i}")),
                ReserveOutcome::Granted { .. }
            ));
        }
        assert_eq!(
            reserve(&mut s, 0, "fp9"),
            ReserveOutcome::Exhausted { failed_attempts: 0 }
        );
    }

    #[test]
    fn crashed_attempt_counts_as_failure_and_late_neutral_settle_gives_it_back() {
        let mut s = IdentityState::default();
        let ReserveOutcome::Granted { reservation } = reserve(&mut s, 0, "a") else {
            panic!("not granted")
        };
        s.apply(2000, StoreOp::Load);
        assert_eq!(s.failed_attempts, 1);
        s.apply(
            2000,
            StoreOp::Settle {
                reservation,
                fingerprint: "a".into(),
                outcome: AttemptOutcome::Neutral,
            },
        );
        assert_eq!(s.failed_attempts, 0);
    }

    #[test]
    fn settling_a_reservation_this_store_never_granted_changes_no_count_but_a_failure() {
        let mut s = IdentityState {
            failed_attempts: 1,
            ..IdentityState::default()
        };
        let settle = |s: &mut IdentityState, outcome| {
            s.apply(
                0,
                StoreOp::Settle {
                    reservation: 999,
                    fingerprint: "a".into(),
                    outcome,
                },
            );
        };
        settle(&mut s, AttemptOutcome::Neutral);
        assert_eq!(s.failed_attempts, 1);
        settle(&mut s, AttemptOutcome::CredentialFailure);
        assert_eq!(s.failed_attempts, 2);
    }

    #[test]
    fn rejected_secret_is_refused_and_new_secret_may_try() {
        let mut s = IdentityState::default();
        let ReserveOutcome::Granted { reservation } = reserve(&mut s, 0, "a") else {
            panic!("not granted")
        };
        s.apply(
            1,
            StoreOp::Settle {
                reservation,
                fingerprint: "a".into(),
                outcome: AttemptOutcome::CredentialFailure,
            },
        );
        assert_eq!(
            reserve(&mut s, 2, "a"),
            ReserveOutcome::SecretRejected { failed_attempts: 1 }
        );
        assert!(matches!(
            reserve(&mut s, 2, "b"),
            ReserveOutcome::Granted { .. }
        ));
    }

    #[test]
    fn a_document_at_the_limits_of_its_numbers_takes_every_op() {
        // Found by the store_documents fuzz target: `fence_counter += 1` overflowed on a stored
        // document with u64::MAX (a panic with overflow checks, a wrapped fence without).
        let doc = r#"{"fingerprint_salt":"x","failed_attempts":4294967295,
            "reservations":[{"id":18446744073709551615,"expires_at_ms":18446744073709551615}],
            "fence_counter":18446744073709551615,"next_id":18446744073709551615}"#;
        let at_limits: IdentityState = serde_json::from_str(doc).unwrap();
        let ops = [
            StoreOp::AcquireLease {
                holder: "h".into(),
                ttl_ms: u64::MAX,
            },
            StoreOp::Reserve {
                fingerprint: "fp".into(),
                max_failed_attempts: u32::MAX,
                ttl_ms: 1,
            },
        ];
        for op in ops {
            let mut s = at_limits.clone();
            s.apply(0, op);
            assert_eq!(s.fence_counter, u64::MAX);
            assert_eq!(s.attempts_remaining(u32::MAX), 0);
        }
        let mut s = at_limits.clone();
        s.failed_attempts = 0;
        assert!(matches!(
            s.reserve(0, "fp".into(), u32::MAX, 1),
            ReserveOutcome::Granted {
                reservation: u64::MAX
            }
        ));
    }

    #[test]
    fn publish_is_fenced_by_the_newest_lease() {
        let mut s = IdentityState::default();
        let StoreReply::Lease(Some(old)) = s.apply(
            0,
            StoreOp::AcquireLease {
                holder: "a".into(),
                ttl_ms: 10,
            },
        ) else {
            panic!()
        };
        let StoreReply::Lease(Some(_new)) = s.apply(
            20,
            StoreOp::AcquireLease {
                holder: "b".into(),
                ttl_ms: 10,
            },
        ) else {
            panic!()
        };
        let record = TokenRecord {
            token: Secret::new("t"),
            issued_at_ms: 0,
            refresh_at_ms: 1,
            expires_at_ms: 2,
        };
        assert!(matches!(
            s.apply(21, StoreOp::PublishToken { record, fence: old }),
            StoreReply::Published(false)
        ));
    }
}
