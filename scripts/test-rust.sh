#!/usr/bin/env bash
# The Rust workspace: format, clippy (warnings are errors), then every Rust test (core, sandbox,
# CLI, the bindings' unit tests; real HTTP to the sandbox on loopback). The RedisStore tests run
# when FINAUTH_TEST_REDIS_URL is set (scripts/with-redis.sh, or scripts/test.sh, sets it).
source "$(dirname "$0")/common.sh"

step "format"
cargo fmt --all -- --check

step "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests (core, sandbox, CLI; real HTTP to the sandbox on loopback)"
build_workspace
cargo test --workspace --locked --no-fail-fast
