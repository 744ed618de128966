#!/usr/bin/env bash
# The Kotlin and Java quickstarts: installs the finauth jar into the local Maven repository (no
# tests; scripts/test-kotlin.sh runs them), starts the local sandbox, and runs
# examples/kotlin and examples/java against it with Maven. Nothing touches a real Finicity account.
source "$(dirname "$0")/common.sh"

if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  step "install maven and a JDK (apt-get)"
  apt-get update -qq && apt-get install -y -qq maven default-jdk-headless >/dev/null
fi

step "build libfinauth_jvm and the sandbox (debug, into $CARGO_TARGET_DIR)"
build_workspace

step "the finauth jar into the local Maven repository (mvn install)"
mvn -B -q -Dstyle.color=never -f bindings-kotlin/pom.xml install -DskipTests -Dfinauth.native.dir="$CARGO_TARGET_DIR/debug"

step "start the sandbox"
start_sandbox
demo_env
# OAuth 2.0 client credentials: the sandbox's demo client.
export FINAUTH_OAUTH2_TOKEN_URL="$SANDBOX_URL/oauth2/token"
export FINAUTH_OAUTH2_CLIENT_ID=finauth-demo-client
export FINAUTH_OAUTH2_CLIENT_SECRET=demo-client-secret

step "Kotlin: examples/kotlin (coroutines, OkHttp; Finicity and OAuth 2.0)"
mvn -B -q -Dstyle.color=never -f examples/kotlin/pom.xml compile exec:java

step "Java: examples/java (blocking API; Finicity and OAuth 2.0)"
mvn -B -q -Dstyle.color=never -f examples/java/pom.xml compile exec:java

echo
echo "Kotlin/Java quickstart finished"
