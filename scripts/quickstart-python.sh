#!/usr/bin/env bash
# Python quickstart: build and install the wheel (as scripts/test-python.sh does, into the same
# reused venv), start the local sandbox, run examples/python/quickstart.py against it.
source "$(dirname "$0")/common.sh"

PYTHON="${PYTHON:-python3}"
VENV="${FINAUTH_VENV:-$CARGO_TARGET_DIR/venv-python}"
need "$PYTHON" "install Python >= 3.9"

step "Python venv ($VENV)"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check 'maturin==1.16.0' 'requests==2.34.2' 'httpx==0.28.1'

step "build and install the wheel"
WHEELS="$CARGO_TARGET_DIR/wheels-python-debug"
rm -rf "$WHEELS"
"$VENV/bin/maturin" build --quiet --locked --manifest-path bindings-python/Cargo.toml \
  --interpreter "$PY" --out "$WHEELS"
"$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/finauth-*.whl

step "start the sandbox"
build_workspace
start_sandbox
URL="$SANDBOX_URL"

step "examples/python/quickstart.py"
FINICITY_PARTNER_ID=finauth-demo-partner FINICITY_PARTNER_SECRET=DemoSecret2026 \
FINICITY_APP_KEY=demo-app-key FINICITY_BASE_URL="$URL" FINAUTH_ALLOW_INSECURE_LOOPBACK=1 \
  "$PY" examples/python/quickstart.py
