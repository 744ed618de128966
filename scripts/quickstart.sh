#!/usr/bin/env bash
# Starts the local sandbox, runs the Rust quickstart and the CLI against it, and shows the token
# lifecycle at work. Nothing here touches a real Finicity account.
source "$(dirname "$0")/common.sh"

step "build (once, into $CARGO_TARGET_DIR)"
build_workspace

BIN="$CARGO_TARGET_DIR/debug"
WORK="$(mktemp -d)"
on_exit "rm -rf '$WORK'"

step "start the sandbox"
start_sandbox
demo_env
URL="$SANDBOX_URL"
# The CLI caches in $XDG_CACHE_HOME/finauth; keep the demo's cache out of yours.
export XDG_CACHE_HOME="$WORK/cache"

step "Rust: examples/rust/quickstart.rs"
"$BIN/quickstart"

auth_requests() {
  curl -fsS "$URL/__admin/stats" | grep -o '"auth_requests":[0-9]*' | head -n1 | cut -d: -f2
}

step "CLI: three 'finauth token' processes share one cached token"
before="$(auth_requests)"
for i in 1 2 3; do
  t="$("$BIN/finauth" token)"
  echo "call $i: token ${t:0:4}… (${#t} chars)"
done
echo "3 CLI processes -> $(( $(auth_requests) - before )) authentication request(s) at the sandbox"

step "CLI: finauth headers (values shortened here)"
"$BIN/finauth" headers | sed -E 's/(: .{4}).*/\1…/'

step "CLI: finauth guard status"
"$BIN/finauth" guard status

step "CLI: finauth demo (the lifecycle, narrated)"
"$BIN/finauth" demo

step "Python: examples/python/quickstart.py"
bash scripts/quickstart-python.sh

step "C and C++: examples/c/quickstart.c, examples/cpp/quickstart.cpp"
bash scripts/quickstart-c.sh

step "Node: examples/node/quickstart.js"
bash scripts/quickstart-node.sh

step "Kotlin and Java: examples/kotlin, examples/java (Maven)"
bash scripts/quickstart-kotlin.sh

echo
echo "quickstart finished"
