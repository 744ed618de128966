#!/usr/bin/env bash
# Fails (exit 1) if a secret, App Key or token the tests use appears in clear in their logs or
# files, naming the file and line and printing only a redacted form (scripts/secret_scan.py says
# what it looks for, and the one field it leaves alone: a FileStore's cached token).
#
#   bash scripts/secret-scan.sh [PATH...]
#
# PATH: files or directories to scan. Without any: target/test-output (the runners' output, e.g.
# `make test 2>&1 | tee target/test-output/make-test.log`), $FINAUTH_TEST_ARTIFACTS (the
# sandbox logs and FileStore directories the tests keep there when it is set) and the throw-away
# redis-servers' logs (target/redis-*/redis.log, scripts/redis-server.sh). Tokens come from the
# sandbox's token log, $FINAUTH_SANDBOX_TOKEN_LOG (set it for the test run too); that file itself
# is not scanned, nor are the test sources.
source "$(dirname "$0")/common.sh"
need python3 "install Python 3"

paths=("$@")
if [ "${#paths[@]}" -eq 0 ]; then
  [ -e "$CARGO_TARGET_DIR/test-output" ] && paths+=("$CARGO_TARGET_DIR/test-output")
  [ -n "${FINAUTH_TEST_ARTIFACTS:-}" ] && [ -e "$FINAUTH_TEST_ARTIFACTS" ] && paths+=("$FINAUTH_TEST_ARTIFACTS")
  for log in "$CARGO_TARGET_DIR"/redis-*/redis.log; do
    [ -f "$log" ] && paths+=("$log")
  done
  if [ "${#paths[@]}" -eq 0 ]; then
    echo "secret-scan: nothing to scan (no target/test-output, FINAUTH_TEST_ARTIFACTS or redis log)" >&2
    exit 2
  fi
fi
if [ -z "${FINAUTH_SANDBOX_TOKEN_LOG:-}" ]; then
  echo "secret-scan: warning: FINAUTH_SANDBOX_TOKEN_LOG is not set: issued tokens are not looked for" >&2
fi
exec python3 scripts/secret_scan.py "${paths[@]}"
