#!/usr/bin/env bash
# Node benchmarks (figures only, no assertions): a release addon built with plain
# `cargo build --release` into the workspace's target/release (what the other release builds
# already filled), stripped as `npm run build` strips it, then bench.js against the sandbox.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
[ -x bindings-node/node_modules/.bin/napi ] || (cd bindings-node && npm ci --no-audit --no-fund --loglevel=error)
cargo build --release -p finauth-node --locked
cargo build -p finauth-sandbox --locked
ADDON="$CARGO_TARGET_DIR/release/finauth-bench.node"
strip -o "$ADDON" "$CARGO_TARGET_DIR/release/libfinauth_node.so"
FINAUTH_NODE_ADDON="$ADDON" FINAUTH_SANDBOX_BIN="$CARGO_TARGET_DIR/debug/finauth-sandbox" node bench/node/bench.js
