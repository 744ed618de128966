#!/usr/bin/env bash
# Every test of every language, then the release artifacts (make dist) on fresh Debian systems
# (make test-dist). Exits non-zero on the first failure; prints what each part cost.
# The RedisStore tests of every language share one throw-away redis-server.
# Everything it prints, the sandbox's and Redis's logs and the tests' store files are kept under
# target/test-output and scanned for the tests' secrets, App Keys and tokens at the end
# (scripts/secret-scan.sh): none may appear in clear.
if [ -z "${FINAUTH_TEST_OUTPUT:-}" ]; then
  source "$(dirname "$0")/common.sh"
  export FINAUTH_TEST_OUTPUT="$CARGO_TARGET_DIR/test-output"
  rm -rf "$FINAUTH_TEST_OUTPUT"
  mkdir -p "$FINAUTH_TEST_OUTPUT"
  export FINAUTH_TEST_ARTIFACTS="$FINAUTH_TEST_OUTPUT/artifacts"
  export FINAUTH_SANDBOX_TOKEN_LOG="$FINAUTH_TEST_OUTPUT/sandbox-tokens.log"
  set +e
  bash "$ROOT/scripts/test.sh" "$@" 2>&1 | tee "$FINAUTH_TEST_OUTPUT/make-test.log"
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" = 0 ] || exit "$rc"
  step "secrets in the output: the scanner's own test, then every log and store file of this run"
  bash scripts/test-secret-scan.sh
  bash scripts/secret-scan.sh
  exit 0
fi
[ -n "${FINAUTH_WITH_REDIS:-}" ] || exec bash "$(dirname "$0")/with-redis.sh" bash "$(cd "$(dirname "$0")" && pwd)/test.sh" "$@"
source "$(dirname "$0")/common.sh"

COSTS=()
# part NAME COMMAND...: a step, timed.
part() {
  local name="$1" t=$SECONDS
  shift
  step "$name"
  "$@"
  COSTS+=("$(printf '%5d s  %s' $((SECONDS - t)) "$name")")
}

# The Debian root filesystems of make test-dist, made in the background while the builds below
# keep the CPU busy (debootstrap mostly waits for the network). Needs root; without it,
# test-dist.sh says so when its turn comes.
ROOTS_LOG="$CARGO_TARGET_DIR/dist-roots.log"
mkdir -p "$CARGO_TARGET_DIR"
ROOTS_PID=""
if [ "$(id -u)" = 0 ]; then
  # Installed here, not in the background job: two apt-gets at once would fight for dpkg's lock.
  if ! command -v debootstrap >/dev/null 2>&1 || [ ! -x /usr/bin/qemu-aarch64-static ]; then
    apt-get update -qq && apt-get install -y -qq debootstrap qemu-user-static >/dev/null
  fi
  bash scripts/test-dist.sh roots >"$ROOTS_LOG" 2>&1 &
  ROOTS_PID=$!
  on_exit "kill $ROOTS_PID 2>/dev/null"
fi

part "Rust: fmt, clippy, cargo test --workspace" bash scripts/test-rust.sh
export FINAUTH_WORKSPACE_TESTED=1
part "Fuzzing: every target 10 s (cargo fuzz, libFuzzer, AddressSanitizer)" bash scripts/fuzz.sh smoke

if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq maven default-jdk-headless >/dev/null
fi
part "OAuth 1.0a: Mastercard's Java reference signer over the conformance corpus (Maven)" \
  bash scripts/oauth1-reference.sh
part "Payload encryption: Mastercard's Java client-encryption library, both ways (Maven)" \
  bash scripts/encryption-reference.sh interop
part "Python binding (wheel, pytest, gunicorn, mypy --strict, stubtest)" bash scripts/test-python.sh
part "C and C++ binding (header, C suite plain/static/valgrind/ASan, C++ wrapper)" bash scripts/test-c.sh
part "Node binding (addon, node --test, tsc --strict)" bash scripts/test-node.sh
part "JVM binding (uniffi-bindgen, Kotlin, JUnit 5 in Kotlin and Java, jar)" bash scripts/test-kotlin.sh
quickstarts() { bash scripts/quickstart.sh >/dev/null; }
part "quickstart smoke run" quickstarts
part "make dist: wheels, npm packages, C tarballs, jar (x86_64, aarch64; glibc 2.17)" bash scripts/dist.sh

wait_roots() {
  if [ -n "$ROOTS_PID" ]; then
    wait "$ROOTS_PID" || { cat "$ROOTS_LOG"; echo "error: making the Debian root filesystems failed" >&2; return 1; }
    cat "$ROOTS_LOG"
  fi
}
part "make test-dist: Debian root filesystems (made in the background; waiting for them)" wait_roots
part "make test-dist: the artifacts on Debian 11, 12, 13 and arm64 (chroot, qemu-user)" bash scripts/test-dist.sh

echo
echo "all tests passed; what each part cost:"
printf '  %s\n' "${COSTS[@]}"
