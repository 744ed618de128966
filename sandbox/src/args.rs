//! Command-line arguments of the `finauth-sandbox` binary, parsed by hand.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::{Partner, SandboxConfig};

/// Usage text of the binary.
pub const USAGE: &str = "\
finauth-sandbox: a local Finicity-compatible server for tests and CI

Usage: finauth-sandbox [OPTIONS]

Prints one line, its URL (http://127.0.0.1:PORT), then serves until SIGINT/SIGTERM.
GET /openapi.json describes the Finicity operations it serves (OpenAPI 3.0.3).

Options:
  --port N                  port on 127.0.0.1 (default 0: any free port)
  --partner ID:SECRET:KEY   a partner (repeatable; default the demo partner
                            finauth-demo-partner:DemoSecret2026:demo-app-key)
  --token-lifetime SECS     token lifetime in seconds, fractions allowed (default 7200)
  --latency-ms MS           delay added before answering the authentication endpoint (default 0)
  --locked-status CODE      HTTP status sent with code 24302 (default 401; Finicity also uses 500)
  --lockout-threshold N     wrong secrets in a row that lock a partner (default 5; 0 = never)
  --error-style NAME        json_number (default), json_string, errors_upper, errors_lower,
                            text or xml
  --oauth1-key CK:PATH      a consumer key and its RSA public key (PEM file) for the
                            OAuth 1.0a verifier on /oauth1/* (repeatable)
  --oauth1-tolerance SECS   allowed oauth_timestamp skew, either way (default 300)
  --tls                     serve HTTPS with a self-signed certificate generated at start
                            (127.0.0.1, localhost); the printed URL is https://
  --tls-cert-out PATH       --tls, and write the certificate (PEM) to PATH for clients to trust
  --tls12-only              --tls, offering TLS 1.2 alone (to test a client's TLS 1.2 path)
  -h, --help                print this help
";

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Serve with this configuration.
    Run(SandboxConfig),
    /// Print [`USAGE`].
    Help,
}

/// Parses the arguments (without the program name). `--opt value` and `--opt=value` are
/// both accepted.
pub fn parse_args<I, S>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut config = SandboxConfig::default();
    let mut partners: Vec<Partner> = Vec::new();
    let mut args = args.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Ok(Command::Help);
        }
        let mut value = || -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match name.as_str() {
            "--port" => {
                let v = value()?;
                let port: u16 = v.parse().map_err(|_| format!("--port: not a port: {v}"))?;
                config.bind = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            }
            "--partner" => {
                let v = value()?;
                partners.push(v.parse().map_err(|e| format!("--partner: {e}"))?);
            }
            "--token-lifetime" => {
                let v = value()?;
                config.token_lifetime = v
                    .parse::<f64>()
                    .ok()
                    .and_then(|s| Duration::try_from_secs_f64(s).ok())
                    .ok_or_else(|| format!("--token-lifetime: not a number of seconds: {v}"))?;
            }
            "--latency-ms" => {
                let v = value()?;
                let ms: u64 = v
                    .parse()
                    .map_err(|_| format!("--latency-ms: not a number of milliseconds: {v}"))?;
                config.latency = Duration::from_millis(ms);
            }
            "--locked-status" => {
                let v = value()?;
                config.locked_status = v
                    .parse::<u16>()
                    .ok()
                    .filter(|s| (100..=999).contains(s))
                    .ok_or_else(|| format!("--locked-status: not an HTTP status: {v}"))?;
            }
            "--lockout-threshold" => {
                let v = value()?;
                config.lockout_threshold = v
                    .parse()
                    .map_err(|_| format!("--lockout-threshold: not a count: {v}"))?;
            }
            "--oauth1-key" => {
                let v = value()?;
                config.oauth1_keys.push(
                    crate::OAuth1Key::from_arg(&v).map_err(|e| format!("--oauth1-key: {e}"))?,
                );
            }
            "--tls" => config.tls = true,
            "--tls12-only" => {
                config.tls = true;
                config.tls12_only = true;
            }
            "--tls-cert-out" => {
                config.tls = true;
                config.tls_cert_out = Some(value()?.into());
            }
            "--oauth1-tolerance" => {
                let v = value()?;
                let secs: u64 = v
                    .parse()
                    .map_err(|_| format!("--oauth1-tolerance: not a number of seconds: {v}"))?;
                config.oauth1_tolerance = Duration::from_secs(secs);
            }
            "--error-style" => {
                config.error_style = value()?.parse()?;
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    if !partners.is_empty() {
        config.partners = partners;
    }
    Ok(Command::Run(config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorStyle;

    fn run(args: &[&str]) -> SandboxConfig {
        match parse_args(args.iter().copied()) {
            Ok(Command::Run(c)) => c,
            other => panic!("expected a config, got {other:?}"),
        }
    }

    #[test]
    fn no_arguments_give_the_defaults() {
        let c = run(&[]);
        assert_eq!(c.partners, vec![Partner::demo()]);
        assert_eq!(c.bind.port(), 0);
    }

    #[test]
    fn every_option_is_read() {
        let c = run(&[
            "--port",
            "8123",
            "--partner",
            "p1:Secret12345678:k1",
            "--partner=p2:a:b:c",
            "--token-lifetime",
            "1.5",
            "--latency-ms=20",
            "--locked-status",
            "500",
            "--lockout-threshold",
            "3",
            "--error-style",
            "errors-upper",
        ]);
        assert_eq!(c.bind.port(), 8123);
        assert_eq!(
            c.partners,
            vec![
                Partner::new("p1", "Secret12345678", "k1"),
                Partner::new("p2", "a:b", "c")
            ]
        );
        assert_eq!(c.token_lifetime, Duration::from_millis(1500));
        assert_eq!(c.latency, Duration::from_millis(20));
        assert_eq!(c.locked_status, 500);
        assert_eq!(c.lockout_threshold, 3);
        assert_eq!(c.error_style, ErrorStyle::ErrorsUpper);
    }

    #[test]
    fn bad_arguments_are_reported() {
        assert!(parse_args(["--port"]).is_err());
        assert!(parse_args(["--port", "x"]).is_err());
        assert!(parse_args(["--partner", "nocolon"]).is_err());
        assert!(parse_args(["--error-style", "yaml"]).is_err());
        assert!(parse_args(["--locked-status", "42"]).is_err());
        assert!(parse_args(["--frobnicate"]).is_err());
        assert!(matches!(parse_args(["--help"]), Ok(Command::Help)));
    }
}
