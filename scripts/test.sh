#!/usr/bin/env bash
# Every test of every language. Exits non-zero on the first failure.
source "$(dirname "$0")/common.sh"

step "format"
cargo fmt --all -- --check

step "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests (core, sandbox, CLI; real HTTP to the sandbox on loopback)"
cargo test --workspace --locked --no-fail-fast

step "Python binding (wheel, pytest, gunicorn, mypy --strict, stubtest)"
bash scripts/test-python.sh

step "C and C++ binding (header, C suite plain/static/valgrind/ASan, C++ wrapper)"
bash scripts/test-c.sh

step "quickstart smoke run"
bash scripts/quickstart.sh >/dev/null

echo
echo "all tests passed"
