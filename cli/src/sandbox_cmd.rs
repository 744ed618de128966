//! `finauth sandbox`: the local Finicity-compatible sandbox, until Ctrl-C or SIGTERM.

use crate::error::CliError;
use crate::output;
use finauth_sandbox::{Partner, Sandbox, SandboxConfig};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// finauth's default mandatory refresh margin (10 min), which no variable changes.
const MANDATORY_MARGIN: Duration = Duration::from_secs(600);

pub async fn run(port: u16, token_lifetime: Option<f64>, latency_ms: u64) -> Result<(), CliError> {
    let mut config = SandboxConfig {
        bind: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        latency: Duration::from_millis(latency_ms),
        ..SandboxConfig::default()
    };
    if let Some(secs) = token_lifetime {
        config.token_lifetime = Duration::try_from_secs_f64(secs)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                CliError::config(format!(
                    "--token-lifetime: `{secs}` is not a positive number of seconds"
                ))
            })?;
    }
    let lifetime = config.token_lifetime;
    let signal = finauth_sandbox::shutdown_signal();
    let sandbox = Sandbox::start(config)
        .await
        .map_err(|e| CliError::transport(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    output::print(&exports(&sandbox.url(), lifetime))?;
    if lifetime != SandboxConfig::default().token_lifetime && lifetime <= MANDATORY_MARGIN {
        output::report(&format!(
            "finauth: note: tokens expire after {} s here, but finauth's token lifetime must \
             exceed its 10-minute refresh margin; requests made with `PartnerAuth::send` \
             recover from the expiry by refreshing once",
            lifetime.as_secs_f64()
        ));
    }
    output::report(&format!(
        "finauth: sandbox serving at {} until Ctrl-C",
        sandbox.url()
    ));
    signal.await;
    sandbox.shutdown().await;
    Ok(())
}

/// The URL, then the variables that point finauth at the sandbox's demo partner (whose secret is
/// public: it is the sandbox's fixed demo credential).
fn exports(url: &str, lifetime: Duration) -> String {
    let demo = Partner::demo();
    let mut text = format!(
        "{url}\n\
         export FINICITY_BASE_URL={url}\n\
         export FINICITY_PARTNER_ID={}\n\
         export FINICITY_PARTNER_SECRET={}\n\
         export FINICITY_APP_KEY={}\n\
         export FINAUTH_ALLOW_INSECURE_LOOPBACK=1\n",
        demo.partner_id, demo.secret, demo.app_key
    );
    // finauth's token lifetime should match the server's; the core needs it longer than its
    // mandatory margin, which has no variable.
    if lifetime != SandboxConfig::default().token_lifetime && lifetime > MANDATORY_MARGIN {
        let secs = lifetime.as_secs_f64();
        text.push_str(&format!(
            "export FINAUTH_TOKEN_LIFETIME={secs}\nexport FINAUTH_REFRESH_AFTER={}\n",
            secs * 0.75
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_first_then_the_exports() {
        let text = exports("http://127.0.0.1:1234", Duration::from_secs(7200));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "http://127.0.0.1:1234");
        assert!(lines.contains(&"export FINICITY_BASE_URL=http://127.0.0.1:1234"));
        assert!(lines.contains(&"export FINAUTH_ALLOW_INSECURE_LOOPBACK=1"));
        assert!(lines.contains(&"export FINICITY_PARTNER_ID=finauth-demo-partner"));
        assert_eq!(lines.len(), 6);
        let longer = exports("http://127.0.0.1:1", Duration::from_secs(1200));
        assert!(longer.contains("export FINAUTH_TOKEN_LIFETIME=1200\n"));
        assert!(longer.contains("export FINAUTH_REFRESH_AFTER=900\n"));
    }
}
