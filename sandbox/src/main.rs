//! `finauth-sandbox`: serves the Finicity-compatible sandbox until SIGINT/SIGTERM.
//! Prints exactly one line to stdout, its URL. See README.md.

use std::process::ExitCode;

use finauth_sandbox::args::{parse_args, Command, USAGE};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("finauth-sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match finauth_sandbox::run_until_signal(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("finauth-sandbox: {err}");
            ExitCode::FAILURE
        }
    }
}
