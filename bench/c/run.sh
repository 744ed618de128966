#!/usr/bin/env bash
# Benchmark of the C binding (not part of the tests): builds the release libfinauth (a cold
# release build takes ~3-4 minutes on 2 cores), starts the debug sandbox, runs token_bench against
# it and prints the library sizes. Usage: bash bench/c/run.sh [calls]
source "$(dirname "$0")/../../scripts/common.sh"

cargo build --release --locked -p finauth-c
cargo build --locked -p finauth-sandbox
REL="$CARGO_TARGET_DIR/release"
WORK="$(mktemp -d)"
cleanup() {
  [ -n "${SANDBOX_PID:-}" ] && kill "$SANDBOX_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

soname_link "$REL"
cc -std=c11 -O2 -Wall -Wextra -Werror -Ibindings-c/include bench/c/token_bench.c \
  -o "$WORK/token_bench" -L"$REL" -lfinauth -Wl,-rpath,"$REL" -lpthread

"$CARGO_TARGET_DIR/debug/finauth-sandbox" >"$WORK/sandbox.out" 2>"$WORK/sandbox.err" &
SANDBOX_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/sandbox.out" ] && break; sleep 0.1; done
export FINICITY_BASE_URL="$(head -n1 "$WORK/sandbox.out")"
export FINICITY_PARTNER_ID=finauth-demo-partner FINICITY_PARTNER_SECRET=DemoSecret2026
export FINICITY_APP_KEY=demo-app-key FINAUTH_ALLOW_INSECURE_LOOPBACK=1

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPU(s): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$WORK/token_bench" "${1:-2000000}"

echo
echo "library sizes (release profile: opt-level 3, debug = 1 line tables):"
strip -o "$WORK/libfinauth.stripped.so" "$REL/libfinauth.so"
strip --strip-debug -o "$WORK/libfinauth.stripped.a" "$REL/libfinauth.a"
for f in "$REL/libfinauth.so" "$WORK/libfinauth.stripped.so" "$REL/libfinauth.a" "$WORK/libfinauth.stripped.a"; do
  awk -v n="$(basename "$f")" -v s="$(stat -c %s "$f")" 'BEGIN { printf "  %-28s %8.1f MiB\n", n, s / 1048576 }'
done
