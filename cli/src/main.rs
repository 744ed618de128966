//! `finauth`: the command line of finauth — tokens, headers, the lockout guard, secret rotation,
//! the local sandbox and a demo. It owns no credential logic: every decision is the core's.

mod args;
mod demo;
mod encrypt;
mod error;
mod exit;
mod guard;
mod logging;
mod oauth2;
mod output;
mod rotate;
mod sandbox_cmd;
mod sign;
mod store;
mod token;

use args::{Cli, Command, GuardAction, OAuth2Action, OAuth2GuardAction};
use clap::Parser;
use error::CliError;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::report(&e.to_string());
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    logging::init()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::io(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        match cli.command {
            Command::Token => token::token().await,
            Command::Headers => token::headers().await,
            Command::Guard {
                action: GuardAction::Status { json },
            } => guard::status(json).await,
            Command::Guard {
                action: GuardAction::Reset,
            } => guard::reset().await,
            Command::RotateSecret(a) => {
                let from = match a.new_secret_env {
                    Some(var) => rotate::NewSecretFrom::Env(var),
                    None => rotate::NewSecretFrom::Stdin,
                };
                rotate::rotate(from, !a.grace).await
            }
            Command::Sandbox(a) => sandbox_cmd::run(a.port, a.token_lifetime, a.latency_ms).await,
            Command::Demo => demo::run().await,
            Command::Sign(a) => sign::run(a),
            Command::Encrypt(a) => encrypt::encrypt(a),
            Command::Decrypt(a) => encrypt::decrypt(a),
            Command::Oauth2 {
                action: OAuth2Action::Token,
            } => oauth2::token().await,
            Command::Oauth2 {
                action: OAuth2Action::Discover,
            } => oauth2::discover().await,
            Command::Oauth2 {
                action: OAuth2Action::Headers { method, url },
            } => oauth2::headers(&method, url.as_deref()).await,
            Command::Oauth2 {
                action:
                    OAuth2Action::Guard {
                        action: OAuth2GuardAction::Status { json },
                    },
            } => oauth2::guard_status(json).await,
            Command::Oauth2 {
                action:
                    OAuth2Action::Guard {
                        action: OAuth2GuardAction::Reset,
                    },
            } => oauth2::guard_reset().await,
        }
    })
}

/// `--help` and `--version` print as clap does and exit 0; a usage error prints one line and
/// exits with the CONFIG status.
fn usage_error(e: &clap::Error) -> ExitCode {
    match args::usage_message(e) {
        None => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        Some(message) => {
            let err = CliError::config(message);
            output::report(&err.to_string());
            ExitCode::from(err.exit_code())
        }
    }
}
