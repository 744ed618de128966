#!/usr/bin/env bash
# The secret scanner's own test (scripts/secret-scan.sh): a clean log passes; a log with a planted
# partner secret, a sandbox-issued token or a line of a test private key fails, naming the file
# and line but never printing the secret; a FileStore state file holding its cached token passes,
# while the same token anywhere else fails.
source "$(dirname "$0")/common.sh"

WORK="$(mktemp -d)"
on_exit "rm -rf '$WORK'"
failed=0
expect() { # expect CODE NAME -- command...
  local want="$1" name="$2" rc=0
  shift 3
  "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $name: exit $rc, expected $want"; cat "$WORK/out" "$WORK/err"; failed=1
  else
    echo "ok   $name"
  fi
}
never_printed() { # the secret in clear must not be in the scanner's own output
  if grep -qF -- "$1" "$WORK/out" "$WORK/err"; then echo "FAIL the scanner printed a secret in clear"; failed=1; fi
}

TOKEN=AbCdEfGhIjKlMnOpQrStUvWxYz012345
export FINAUTH_SANDBOX_TOKEN_LOG="$WORK/tokens.log"
echo "$TOKEN" >"$FINAUTH_SANDBOX_TOKEN_LOG"
PEM_LINE="$(grep -h -A1 -- '-----BEGIN .*PRIVATE KEY-----' core/tests/oauth1-keys/*.pem 2>/dev/null | sed -n 2p)"

mkdir -p "$WORK/clean/store"
printf 'test a ... ok\nPartnerAuth(partner_id=finauth-demo-partner, secret=<redacted>)\n' >"$WORK/clean/run.log"
printf '{"token":{"token":"%s","issued_at_ms":1,"refresh_at_ms":2,"expires_at_ms":3}}' "$TOKEN" \
  >"$WORK/clean/store/finauth-0123abcd.json"
expect 0 "a clean log and a FileStore holding its cached token pass" -- bash scripts/secret-scan.sh "$WORK/clean"

mkdir -p "$WORK/secret"
printf 'line one\nsending partnerSecret=DemoSecret2026 now\n' >"$WORK/secret/run.log"
expect 1 "a planted partner secret fails" -- bash scripts/secret-scan.sh "$WORK/secret"
grep -q "run.log:2: " "$WORK/out" || { echo "FAIL the finding does not name run.log:2"; failed=1; }
grep -q "De\*\*\*\*\*\*(14 chars)" "$WORK/out" || { echo "FAIL no redacted form"; failed=1; }
never_printed DemoSecret2026

mkdir -p "$WORK/token/store"
printf 'a\nb\nheader Finicity-App-Token: %s\n' "$TOKEN" >"$WORK/token/sandbox.err"
expect 1 "a token the sandbox issued, in a log, fails" -- bash scripts/secret-scan.sh "$WORK/token"
grep -q "sandbox.err:3: " "$WORK/out" || { echo "FAIL the finding does not name sandbox.err:3"; failed=1; }
never_printed "$TOKEN"

mkdir -p "$WORK/store-leak"
printf '{"token":{"token":"x"},"note":"%s"}' "$TOKEN" >"$WORK/store-leak/finauth-0123abcd.json"
expect 1 "the token outside a FileStore's token field fails" -- bash scripts/secret-scan.sh "$WORK/store-leak"
never_printed "$TOKEN"

if [ -n "$PEM_LINE" ]; then
  mkdir -p "$WORK/pem"
  printf 'key: %s\n' "$PEM_LINE" >"$WORK/pem/debug.log"
  expect 1 "a line of a test private key fails" -- bash scripts/secret-scan.sh "$WORK/pem"
  never_printed "$PEM_LINE"
else
  echo "FAIL no private-key PEM under core/tests/oauth1-keys to plant"; failed=1
fi

mkdir -p "$WORK/c-partner"
printf 'secret Secret12x2026 here\n' >"$WORK/c-partner/c.log"
expect 1 "a C test partner's generated secret fails" -- bash scripts/secret-scan.sh "$WORK/c-partner"

[ "$failed" -eq 0 ] && echo "secret scanner: all passed" || { echo "secret scanner: FAILED" >&2; exit 1; }
