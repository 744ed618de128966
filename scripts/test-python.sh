#!/usr/bin/env bash
# The Python binding: build the wheel once (debug, reusing the workspace's target directory),
# install it into a reused venv, then pytest (sandbox as a real process, gunicorn pre-fork test,
# the API clients OpenAPI Generator makes: scripts/openapi-clients.sh), mypy --strict on
# examples/python and the package, and stubtest on the extension's stubs.
# Environment: PYTHON (default python3), FINAUTH_VENV (default target/venv-python),
# FINAUTH_WHEEL_PROFILE=release to test a release wheel.
source "$(dirname "$0")/common.sh"

PYTHON="${PYTHON:-python3}"
VENV="${FINAUTH_VENV:-$CARGO_TARGET_DIR/venv-python}"
PROFILE="${FINAUTH_WHEEL_PROFILE:-debug}"
need "$PYTHON" "install Python >= 3.9"

step "Python venv ($VENV)"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
# The last two lines: what the API clients OpenAPI Generator makes import (tests/test_openapi.py), as
# pinned in scripts/openapi-clients.sh.
"$PY" -m pip install --quiet --disable-pip-version-check \
  'maturin==1.16.0' 'pytest==9.2.0' 'pytest-timeout==2.4.0' 'requests==2.34.2' 'httpx==0.28.1' \
  'gunicorn==27.0.1' 'mypy==2.4.1' 'types-requests==2.33.0.20261030' \
  'PyJWT==2.15.1' 'cryptography==50.0.2' \
  'pydantic==2.14.3' 'urllib3==2.8.0' 'python-dateutil==2.9.0.post0' 'typing-extensions==4.16.0' \
  'aiohttp==3.14.5' 'aiohttp-retry==2.9.1'

step "the workspace (debug; the sandbox among it)"
build_workspace
export FINAUTH_SANDBOX_BIN="$CARGO_TARGET_DIR/debug/finauth-sandbox"

step "build the wheel ($PROFILE) and install it"
WHEELS="$CARGO_TARGET_DIR/wheels-python-$PROFILE"
rm -rf "$WHEELS"
release_flag=()
[ "$PROFILE" = release ] && release_flag=(--release)
"$VENV/bin/maturin" build --quiet "${release_flag[@]}" --locked \
  --manifest-path bindings-python/Cargo.toml --interpreter "$PY" --out "$WHEELS"
"$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/finauth-*.whl
ls -l "$WHEELS"

step "import check"
(cd / && "$PY" -c 'import finauth, finauth.requests, finauth.httpx, finauth.openapi; print("finauth", finauth.__version__, finauth.__file__)')

step "the generated API clients (scripts/openapi-clients.sh)"
bash scripts/openapi-clients.sh
# tests/test_openapi.py fails, rather than skips, without them.
export FINAUTH_REQUIRE_OPENAPI=1

step "pytest"
(cd bindings-python && "$PY" -m pytest -q -p no:cacheprovider tests)

step "mypy --strict (examples/python) and stubtest"
"$VENV/bin/mypy" --strict --no-incremental examples/python bindings-python/python/finauth
(cd / && "$PY" -m mypy.stubtest finauth._finauth)

echo
echo "python binding: all tests passed"
