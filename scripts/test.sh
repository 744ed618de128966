#!/usr/bin/env bash
# Every test of every language. Exits non-zero on the first failure.
# The RedisStore tests of every language share one throw-away redis-server.
[ -n "${FINAUTH_WITH_REDIS:-}" ] || exec bash "$(dirname "$0")/with-redis.sh" bash "$(cd "$(dirname "$0")" && pwd)/test.sh" "$@"
source "$(dirname "$0")/common.sh"

bash scripts/test-rust.sh
export FINAUTH_WORKSPACE_TESTED=1

step "OAuth 1.0a: Mastercard's Java reference signer over the conformance corpus (Maven)"
if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq maven default-jdk-headless >/dev/null
fi
bash scripts/oauth1-reference.sh

step "Payload encryption: Mastercard's Java client-encryption library, both ways (Maven)"
bash scripts/encryption-reference.sh interop

step "Python binding (wheel, pytest, gunicorn, mypy --strict, stubtest)"
bash scripts/test-python.sh

step "C and C++ binding (header, C suite plain/static/valgrind/ASan, C++ wrapper)"
bash scripts/test-c.sh

step "Node binding (addon, node --test, tsc --strict)"
bash scripts/test-node.sh

step "JVM binding (uniffi-bindgen, Kotlin, JUnit 5 in Kotlin and Java, jar)"
bash scripts/test-kotlin.sh

step "quickstart smoke run"
bash scripts/quickstart.sh >/dev/null

echo
echo "all tests passed"
