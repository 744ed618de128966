#!/usr/bin/env bash
# JVM benchmark: release libfinauth_jvm in the finauth jar (installed into the local Maven
# repository), a local sandbox, then bench/jvm/src/main/kotlin/Bench.kt. Prints figures only.
# `run.sh token` prints only the token() figures, `run.sh interceptors` only the OkHttp ones.
source "$(dirname "$0")/../../scripts/common.sh"

step "release build of libfinauth_jvm and uniffi-bindgen; debug sandbox"
cargo build --release --locked -p finauth-kotlin
build_workspace   # the debug sandbox, reusing the one workspace build (common.sh)

step "the finauth jar with the release library (mvn install, no tests)"
mvn -B -q -Dstyle.color=never -f bindings-kotlin/pom.xml install -DskipTests \
  -Dfinauth.native.dir="$CARGO_TARGET_DIR/release"

start_sandbox
demo_env
export FINAUTH_OAUTH2_TOKEN_URL="$SANDBOX_URL/oauth2/token"
export FINAUTH_OAUTH2_CLIENT_ID=finauth-demo-client
export FINAUTH_OAUTH2_CLIENT_SECRET=demo-client-secret

step "bench/jvm"
mvn -B -q -Dstyle.color=never -f bench/jvm/pom.xml compile exec:java \
  -Dexec.args="$ROOT/core/tests/oauth1-keys ${1:-}"
