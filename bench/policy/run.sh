#!/usr/bin/env bash
# Request-policy benchmarks, side by side in one run (figures only, no assertions):
#  - fresh token() in Python and Node, 1 and 2 threads, BEFORE (the commit given, default the one
#    before the binding caches moved to the core's generation) and AFTER (this checkout);
#  - what requests, httpx, fetch and axios add per request over their bare clients (this checkout).
# Release builds: the "before" tree is built in a git worktree under target/bench-before (its own
# target directory, built once and reused), "after" in target/release.
#   bash bench/policy/run.sh [BEFORE_COMMIT]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
BEFORE="${1:-fc27279}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WT="$CARGO_TARGET_DIR/bench-before/tree"
BT="$CARGO_TARGET_DIR/bench-before/target"
[ -x bindings-node/node_modules/.bin/napi ] || (cd bindings-node && npm ci --no-audit --no-fund --loglevel=error)
VENV="$CARGO_TARGET_DIR/venv-policy-bench"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check 'maturin==1.16.0' 'requests==2.34.2' 'httpx==0.28.1'

build() {  # build TREE TARGET LABEL: release wheel into a venv of its own, release addon
  local tree="$1" target="$2" label="$3" venv="$CARGO_TARGET_DIR/venv-policy-$3"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'maturin==1.16.0' 'requests==2.34.2' 'httpx==0.28.1'
  rm -rf "$target/wheels-$label"
  (cd "$tree" && CARGO_TARGET_DIR="$target" "$venv/bin/maturin" build --quiet --release --locked \
    --manifest-path bindings-python/Cargo.toml --interpreter "$venv/bin/python" --out "$target/wheels-$label")
  "$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$target/wheels-$label"/finauth-*.whl
  (cd "$tree" && CARGO_TARGET_DIR="$target" cargo build --release --locked -p finauth-node --quiet)
  strip -o "$target/finauth-$label.node" "$target/release/libfinauth_node.so"
}

[ -d "$WT" ] || git worktree add --detach "$WT" "$BEFORE" >/dev/null
git -C "$WT" checkout --quiet --detach "$BEFORE"
echo "== build: before ($BEFORE, $WT) and after ($(git rev-parse --short HEAD)) =="
start=$SECONDS; build "$WT" "$BT" before; echo "before built in $((SECONDS - start)) s"
start=$SECONDS; build "$ROOT" "$CARGO_TARGET_DIR" after; echo "after built in $((SECONDS - start)) s"
cargo build --release -p finauth-sandbox --locked --quiet
URL_FILE="$(mktemp)"
"$CARGO_TARGET_DIR/release/finauth-sandbox" --port 0 >"$URL_FILE" &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; rm -f "$URL_FILE"' EXIT
for _ in $(seq 100); do [ -s "$URL_FILE" ] && break; sleep 0.05; done
URL="$(head -n1 "$URL_FILE")"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
for round in 1 2; do
  for label in before after; do
    echo "== Python, $label (round $round) =="
    (cd / && "$CARGO_TARGET_DIR/venv-policy-$label/bin/python" "$ROOT/bench/policy/bench_python.py" "$URL" fresh)
    echo "== Node, $label (round $round) =="
    if [ "$label" = before ]; then
      FINAUTH_NODE_PKG="$WT/bindings-node" FINAUTH_NODE_ADDON="$BT/finauth-before.node" node bench/policy/bench_node.js "$URL" fresh
    else
      FINAUTH_NODE_ADDON="$CARGO_TARGET_DIR/finauth-after.node" node bench/policy/bench_node.js "$URL" fresh
    fi
  done
done
echo "== integrations over their bare clients (after) =="
(cd / && "$CARGO_TARGET_DIR/venv-policy-after/bin/python" "$ROOT/bench/policy/bench_python.py" "$URL" integrations)
FINAUTH_NODE_ADDON="$CARGO_TARGET_DIR/finauth-after.node" node bench/policy/bench_node.js "$URL" integrations
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
