#!/usr/bin/env bash
# OAuth 2.0 benchmark: builds the RELEASE wheel and sandbox (minutes when cold), installs them with
# mastercard-oauth2-client into target/venv-python-bench, starts `finauth-sandbox --tls` with a
# 20 ms token-endpoint latency, and prints the figures (bench_oauth2.py). Asserts nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="${FINAUTH_BENCH_VENV:-$CARGO_TARGET_DIR/venv-python-bench}"
LATENCY_MS="${FINAUTH_BENCH_LATENCY_MS:-20}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check 'maturin==1.16.0' 'requests==2.34.2' \
  'mastercard-oauth2-client==1.0.0' || echo "note: mastercard-oauth2-client could not be installed; its rows are skipped"
WHEELS="$CARGO_TARGET_DIR/wheels-python-release"
if [ -z "${FINAUTH_BENCH_REUSE_WHEEL:-}" ] || ! ls "$WHEELS"/finauth-*.whl >/dev/null 2>&1; then
  rm -rf "$WHEELS"
  "$VENV/bin/maturin" build --quiet --release --locked --manifest-path bindings-python/Cargo.toml \
    --interpreter "$PY" --out "$WHEELS"
fi
"$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/finauth-*.whl
cargo build --release -p finauth-sandbox --locked --quiet
WORK="$(mktemp -d)"
"$CARGO_TARGET_DIR/release/finauth-sandbox" --port 0 --tls-cert-out "$WORK/cert.pem" \
  --latency-ms "$LATENCY_MS" >"$WORK/url" &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -s "$WORK/url" ] && break; sleep 0.05; done
echo "token endpoint latency: ${LATENCY_MS} ms"
cd /  # import the installed wheel, not the source tree
# finauth (rustls) and requests both trust exactly the sandbox's generated certificate.
SSL_CERT_FILE="$WORK/cert.pem" REQUESTS_CA_BUNDLE="$WORK/cert.pem" \
  "$PY" "$ROOT/bench/oauth2/bench_oauth2.py" "$(head -n1 "$WORK/url")" "$WORK/cert.pem" \
  "$ROOT/core/tests/oauth1-keys/ec.pem"
