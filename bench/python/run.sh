#!/usr/bin/env bash
# Python benchmarks: build the RELEASE wheel (a cold release build takes minutes), install it with
# mastercard-oauth2-client into target/venv-python-bench, start the sandbox, print the figures.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$CARGO_TARGET_DIR/venv-python-bench"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check 'maturin==1.16.0' 'mastercard-oauth2-client==1.0.0' \
  || echo "note: mastercard-oauth2-client could not be installed; its rows are skipped"
WHEELS="$CARGO_TARGET_DIR/wheels-python-release"
rm -rf "$WHEELS"
"$VENV/bin/maturin" build --quiet --release --locked --manifest-path bindings-python/Cargo.toml \
  --interpreter "$PY" --out "$WHEELS"
"$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/finauth-*.whl
echo "wheel: $(ls "$WHEELS") $(du -k "$WHEELS"/finauth-*.whl | cut -f1) KiB"
cargo build --release -p finauth-sandbox --locked --quiet
URL_FILE="$(mktemp)"
"$CARGO_TARGET_DIR/release/finauth-sandbox" --port 0 >"$URL_FILE" &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; rm -f "$URL_FILE"' EXIT
for _ in $(seq 100); do [ -s "$URL_FILE" ] && break; sleep 0.05; done
cd /  # import the installed wheel, not the source tree
"$PY" "$ROOT/bench/python/bench_token.py" "$(head -n1 "$URL_FILE")"
