//! `finauth guard status [--json]` and `finauth guard reset`.

use crate::error::CliError;
use crate::output;
use crate::store;
use finauth::GuardStatus;

/// Print what the lockout guard knows, as `key: value` lines or one JSON object.
pub async fn status(json: bool) -> Result<(), CliError> {
    let (auth, secret_known) = store::guard_auth_from_env()?;
    let status = auth.guard_status().await?;
    let whose = [
        ("partner_id", auth.partner_id().to_owned()),
        ("base_url", auth.base_url().to_string()),
    ];
    output::print(&render(&whose, &status, secret_known, json))
}

/// `whose` (what the guard belongs to) then the status, as lines or as one JSON object.
pub(crate) fn render(
    whose: &[(&str, String)],
    status: &GuardStatus,
    secret_known: bool,
    json: bool,
) -> String {
    if json {
        let mut v = to_json(status, secret_known);
        for (k, val) in whose {
            v[*k] = val.as_str().into();
        }
        format!("{v}\n")
    } else {
        let head: String = whose.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        head + &to_lines(status, secret_known)
    }
}

/// Operator action: clear failures, rejected secrets and the locked flag for every process
/// sharing the store.
pub async fn reset() -> Result<(), CliError> {
    let (auth, _) = store::guard_auth_from_env()?;
    let before = auth.guard_status().await?;
    auth.reset_lockout_guard().await?;
    let mut text = format!(
        "lockout guard cleared for {} at {} (store {}): {} failed attempt(s), {} rejected secret(s){} forgotten\n",
        auth.partner_id(),
        auth.base_url(),
        before.store,
        before.failed_attempts,
        before.rejected_secrets,
        if before.locked.is_some() {
            " and the locked flag"
        } else {
            ""
        },
    );
    if before.locked.is_some() {
        text.push_str(
            "the server had locked this Partner ID: make sure Finicity support unlocked it before the next call\n",
        );
    }
    output::print(&text)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn to_lines(s: &GuardStatus, secret_known: bool) -> String {
    let locked = s.locked.map_or_else(|| "no".to_owned(), |c| c.to_string());
    let rejected = if secret_known {
        yes_no(s.current_secret_rejected)
    } else {
        "unknown (the secret is not set)"
    };
    format!(
        "failed_attempts: {}\nin_flight: {}\nmax_failed_attempts: {}\nattempts_remaining: {}\n\
         rejected_secrets: {}\nlocked: {locked}\ncurrent_secret_rejected: {rejected}\nstore: {}\n",
        s.failed_attempts,
        s.in_flight,
        s.max_failed_attempts,
        s.attempts_remaining,
        s.rejected_secrets,
        s.store,
    )
}

fn to_json(s: &GuardStatus, secret_known: bool) -> serde_json::Value {
    serde_json::json!({
        "failed_attempts": s.failed_attempts,
        "in_flight": s.in_flight,
        "max_failed_attempts": s.max_failed_attempts,
        "attempts_remaining": s.attempts_remaining,
        "rejected_secrets": s.rejected_secrets,
        "locked": s.locked,
        "current_secret_rejected": if secret_known { Some(s.current_secret_rejected) } else { None },
        "store": s.store,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> GuardStatus {
        GuardStatus {
            failed_attempts: 1,
            in_flight: 0,
            max_failed_attempts: 3,
            attempts_remaining: 2,
            rejected_secrets: 1,
            locked: None,
            current_secret_rejected: true,
            store: "file:/tmp/x".into(),
        }
    }

    #[test]
    fn lines_show_every_field() {
        let text = to_lines(&sample(), true);
        for line in [
            "failed_attempts: 1",
            "in_flight: 0",
            "max_failed_attempts: 3",
            "attempts_remaining: 2",
            "rejected_secrets: 1",
            "locked: no",
            "current_secret_rejected: yes",
            "store: file:/tmp/x",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in {text}");
        }
        let mut locked = sample();
        locked.locked = Some(24302);
        assert!(to_lines(&locked, false).contains("locked: 24302\n"));
        assert!(to_lines(&locked, false).contains("current_secret_rejected: unknown"));
    }

    #[test]
    fn json_has_the_same_fields() {
        let v = to_json(&sample(), true);
        assert_eq!(v["failed_attempts"], 1);
        assert_eq!(v["locked"], serde_json::Value::Null);
        assert_eq!(v["current_secret_rejected"], true);
        assert_eq!(
            to_json(&sample(), false)["current_secret_rejected"],
            serde_json::Value::Null
        );
    }
}
