//! Store documents as read back: the JSON state of one identity that `FileStore` (a file any
//! process on the host may have written) and `RedisStore` (a key any process of the fleet may
//! have written) decode before every operation, each operation applied to it, the document
//! written back, and what else a stored document carries (a rotation's sealed successor, an
//! issuer-metadata record). Input: the document's bytes.
#![no_main]

use finauth::fuzzing;
use finauth::store::{AttemptOutcome, IdentityState, Rotation, StoreOp, StoreReply, TokenRecord};
use finauth::Secret;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Wall times: the epoch, a real one, and the end of time (a document from a clock gone wrong).
const NOWS: [u64; 3] = [0, 1_764_100_000_000, u64::MAX];

fn dir() -> &'static std::path::Path {
    static D: OnceLock<std::path::PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let base = std::env::var_os("FUZZ_STORE_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        base.join(format!("finauth-fuzz-store-{}", std::process::id()))
    })
}

/// Whether the document names another identity: an object with an `identity` member that is
/// not null and not this identity's digest, or one that cannot be read as a JSON value (a
/// duplicate member, bytes that are not UTF-8). Only an object names an owner.
fn names_another_identity(data: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Named {
        #[serde(default)]
        identity: Option<serde_json::Value>,
    }
    if data.trim_ascii_start().first() != Some(&b'{') {
        return false;
    }
    match serde_json::from_slice::<Named>(data) {
        Ok(Named { identity: None })
        | Ok(Named {
            identity: Some(serde_json::Value::Null),
        }) => false,
        Ok(Named { identity: Some(id) }) => {
            id != serde_json::Value::String(fuzzing::identity().digest())
        }
        // The state decoded (checked by the caller), so the `identity` member is what fails.
        Err(_) => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let decoded = serde_json::from_slice::<IdentityState>(data).ok();
    for now in NOWS {
        for op in ops(decoded.as_ref()) {
            let reset = matches!(op, StoreOp::ResetGuard);
            match fuzzing::redis_apply(Some(data), now, op.clone()) {
                Ok((reply, after, ttl)) => {
                    let back: IdentityState =
                        serde_json::from_slice(&after).expect("a written document reads back");
                    assert_eq!(
                        serde_json::to_vec(&back).expect("encodes"),
                        after,
                        "the document is stable"
                    );
                    let guard = back.failed_attempts > 0
                        || !back.reservations.is_empty()
                        || !back.rejected.is_empty()
                        || back.locked.is_some()
                        || !back.rotations.is_empty();
                    assert_eq!(
                        ttl == 0,
                        guard,
                        "guard state never expires, clean state always does"
                    );
                    if let StoreReply::Snapshot(s) = reply {
                        assert_eq!(serde_json::to_vec(&*s).ok(), Some(after));
                    }
                }
                Err(_) => assert!(
                    decoded.is_none() && !reset,
                    "only an unreadable document fails, and never a reset"
                ),
            }
        }
    }
    // A missing document (the key expired) under every operation.
    for op in ops(None) {
        assert!(fuzzing::redis_apply(None, NOWS[1], op).is_ok());
    }

    // FileStore: the same document in a file, a Load, a Reserve and a reset under its lock.
    let file_ops = vec![
        StoreOp::Load,
        StoreOp::Reserve {
            fingerprint: "fp".into(),
            max_failed_attempts: 3,
            ttl_ms: 30_000,
        },
        StoreOp::ResetGuard,
    ];
    match fuzzing::file_store_apply(dir(), data, NOWS[1], file_ops) {
        Ok(replies) => assert_eq!(replies.len(), 3),
        Err(e) => {
            // finauth never writes an empty file (it replaces atomically), so an empty one was
            // truncated behind its back; and a document naming another identity was copied over
            // this one's file. Both are refused, as is anything that does not decode as the
            // state (the same decode as RedisStore's).
            let refusable = decoded.is_none() || data.is_empty() || names_another_identity(data);
            assert!(refusable, "the file store refused a readable document: {e}");
        }
    }

    // What else the document carries.
    if let Some(state) = &decoded {
        for r in &state.rotations {
            let _ = fuzzing::open_rotation(
                &state.fingerprint_salt,
                "finicity|x|p",
                "OldSecret-12345",
                &r.sealed,
            );
        }
        if let Ok(sealed) = fuzzing::seal_rotation(
            &state.fingerprint_salt,
            "id",
            "OldSecret-12345",
            "NewSecret-67890",
        ) {
            assert_eq!(
                fuzzing::open_rotation(&state.fingerprint_salt, "id", "OldSecret-12345", &sealed)
                    .as_deref(),
                Some("NewSecret-67890")
            );
            assert_eq!(
                fuzzing::open_rotation(&state.fingerprint_salt, "id", "OtherSecret-000", &sealed),
                None
            );
        }
    }
    if let Ok(record) = std::str::from_utf8(data) {
        let _ = fuzzing::metadata_record("https://issuer.fuzz.invalid", record.trim());
    }
});

/// Every operation, with the fences, ids and token the document itself names (so the branches
/// that match them are reached) and with extreme values.
fn ops(state: Option<&IdentityState>) -> Vec<StoreOp> {
    let fence = state.map_or(0, |s| s.fence_counter);
    let lease = state
        .and_then(|s| s.lease.as_ref())
        .map_or(fence, |l| l.fence);
    let reservation = state
        .and_then(|s| {
            s.reservations
                .first()
                .map(|r| r.id)
                .or(s.expired_counted.first().copied())
        })
        .unwrap_or(1);
    let token = state
        .and_then(|s| s.token.as_ref())
        .map_or_else(|| Secret::new("tok"), |t| t.token.clone());
    let fp = state
        .and_then(|s| {
            s.rejected
                .first()
                .or(s.rotations.first().map(|r| &r.old_fingerprint))
        })
        .cloned()
        .unwrap_or_else(|| "fp".into());
    let mut ops = vec![
        StoreOp::Load,
        StoreOp::AcquireLease {
            holder: "h".into(),
            ttl_ms: 30_000,
        },
        StoreOp::AcquireLease {
            holder: "h".into(),
            ttl_ms: u64::MAX,
        },
        StoreOp::ReleaseLease { fence: lease },
        StoreOp::PublishToken {
            record: TokenRecord {
                token: Secret::new("new-token"),
                issued_at_ms: 1,
                refresh_at_ms: 2,
                expires_at_ms: u64::MAX,
            },
            fence,
        },
        StoreOp::DropToken { token },
        StoreOp::Reserve {
            fingerprint: fp.clone(),
            max_failed_attempts: u32::MAX,
            ttl_ms: u64::MAX,
        },
        StoreOp::Reserve {
            fingerprint: "other".into(),
            max_failed_attempts: 3,
            ttl_ms: 30_000,
        },
        StoreOp::ResetGuard,
        StoreOp::MarkLocked { code: 24302 },
        StoreOp::RecordRotation {
            rotation: Rotation {
                old_fingerprint: fp.clone(),
                new_fingerprint: "n".into(),
                sealed: String::new(),
                at_ms: 0,
            },
        },
    ];
    for outcome in [
        AttemptOutcome::Success,
        AttemptOutcome::CredentialFailure,
        AttemptOutcome::Locked { code: 24302 },
        AttemptOutcome::Neutral,
    ] {
        ops.push(StoreOp::Settle {
            reservation,
            fingerprint: fp.clone(),
            outcome,
        });
    }
    ops
}
