#!/usr/bin/env bash
# OAuth 1.0a signing benchmark (issue 7), figures only: signatures per second on 1 and 2 threads
# from `openssl speed rsa2048` (the limit), finauth in Rust, C, Python and Node, and Mastercard's
# Python, Node (PEM string and KeyObject) and Java signers, side by side in one run, with the
# ratio to openssl. Builds what it needs in release, into the one target directory, as
# bench/{c,node,python}/run.sh do; needs the package registries the first time.
# Usage: bash bench/oauth1/run.sh [seconds per figure, default 3]
source "$(dirname "$0")/../../scripts/common.sh"
SECONDS_EACH="${1:-3}"
HERE="$ROOT/bench/oauth1"
KEYS="$ROOT/core/tests/oauth1-keys"
WORK="$CARGO_TARGET_DIR/oauth1-bench"
MC_PY_VERSION=1.9.2
MC_NODE_VERSION=1.2.0
mkdir -p "$WORK"
REL="$CARGO_TARGET_DIR/release"

step "release builds (C library, Node addon, Python wheel, Rust bench)"
cargo build --release --locked -p finauth-c
cargo build --release --locked -p finauth-node
strip -o "$REL/finauth-bench.node" "$REL/libfinauth_node.so"
VENV="$CARGO_TARGET_DIR/venv-python-bench"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check 'maturin==1.16.0' \
  "mastercard-oauth1-signer==$MC_PY_VERSION"
WHEELS="$CARGO_TARGET_DIR/wheels-python-release"
rm -rf "$WHEELS"
"$VENV/bin/maturin" build --quiet --release --locked --manifest-path bindings-python/Cargo.toml \
  --interpreter "$PY" --out "$WHEELS"
"$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/finauth-*.whl
cargo bench --locked -p finauth-bench --bench oauth1 --no-run
soname_link "$REL"
cc -std=c11 -O2 -Wall -Wextra -Werror -Ibindings-c/include "$HERE/sign_bench.c" \
  -o "$WORK/sign_bench" -L"$REL" -lfinauth -Wl,-rpath,"$REL" -lpthread

step "Mastercard's Node and Java signers"
NPM_DIR="$WORK/npm"
mkdir -p "$NPM_DIR"
[ -f "$NPM_DIR/package.json" ] || echo '{"private": true}' >"$NPM_DIR/package.json"
(cd "$NPM_DIR" && npm install --silent --no-audit --no-fund --save-exact "mastercard-oauth1-signer@$MC_NODE_VERSION")
JAVA_CP=""
if command -v mvn >/dev/null && command -v java >/dev/null; then
  mvn -B -q -f "$ROOT/core/tests/oauth1-reference/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$WORK/java-classpath" >&2 && JAVA_CP="$(cat "$WORK/java-classpath")"
else
  echo "note: no java/mvn; the Java row is skipped" >&2
fi

RESULTS="$WORK/results.txt"
: >"$RESULTS"
load() { cut -d' ' -f1-3 /proc/loadavg; }
# measure NAME COMMAND...: runs it, keeps its RESULT lines with the load average at its start.
measure() {
  local name="$1"
  shift
  local l
  l="$(load)"
  echo "  $name (load average $l)" >&2
  "$@" >"$WORK/out.txt"
  cat "$WORK/out.txt" >&2
  awk -v l="$l" '$1 == "RESULT" { print $2, $3, $4, $5, l }' "$WORK/out.txt" >>"$RESULTS"
}
openssl_rate() { awk '/^rsa 2048 bits/ { print $6 }'; }
openssl_speed() {
  # "rsa 2048 bits <s/sign> <s/verify> <sign/s> <verify/s>": by default per CPU-second of user
  # time, with -elapsed per second of wall time. Two at once (two processes, summed) for "2"
  # (openssl 3.0's own -multi misreports rsa figures).
  local f="$WORK/openssl" wall cpu
  openssl speed -seconds "$SECONDS_EACH" rsa2048 2>/dev/null | openssl_rate >"$f.c1"
  openssl speed -elapsed -seconds "$SECONDS_EACH" rsa2048 2>/dev/null | openssl_rate >"$f.w1"
  echo "RESULT openssl 1 $(cat "$f.w1") $(cat "$f.c1")"
  for i in a b; do openssl speed -seconds "$SECONDS_EACH" rsa2048 2>/dev/null | openssl_rate >"$f.c2$i" & done
  wait
  for i in a b; do openssl speed -elapsed -seconds "$SECONDS_EACH" rsa2048 2>/dev/null | openssl_rate >"$f.w2$i" & done
  wait
  # per CPU-second: the mean of the two (each process is one thread); wall: the sum.
  cpu="$(cat "$f.c2a" "$f.c2b" | awk '{ s += $1 } END { print s / 2 }')"
  wall="$(cat "$f.w2a" "$f.w2b" | awk '{ s += $1 } END { print s }')"
  echo "RESULT openssl 2 $wall $cpu"
}

step "measuring, $SECONDS_EACH s per figure; $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
date -u '+date: %Y-%m-%d %H:%M UTC'
measure openssl openssl_speed
measure rust env FINAUTH_BENCH_SECONDS="$SECONDS_EACH" cargo bench --locked -q -p finauth-bench --bench oauth1
measure c "$WORK/sign_bench" "$KEYS/pkcs8.pem" "$SECONDS_EACH"
measure python bash -c 'cd / && "$0" "$@"' "$PY" "$HERE/bench_sign.py" "$KEYS/pkcs8.pem" "$SECONDS_EACH"
measure node env FINAUTH_NODE_ADDON="$REL/finauth-bench.node" NODE_PATH="$NPM_DIR/node_modules" \
  node "$HERE/bench_sign.js" "$KEYS/pkcs8.pem" "$SECONDS_EACH"
[ -n "$JAVA_CP" ] && measure java java -cp "$JAVA_CP" "$HERE/SignBench.java" "$KEYS/pkcs8.der" "$SECONDS_EACH"
date -u '+end: %Y-%m-%d %H:%M UTC'

step "signatures per second, RSA-SHA256 with a 2048-bit key"
# wall: signs per second of wall time (all threads); per CPU-s: signs per CPU-second of the signing
# threads (what `openssl speed` reports by default; it holds on a busy machine); x ossl: per CPU-s
# over openssl's on as many threads; 2t/1t: wall rate on 2 threads over 1.
awk '
  { wall[$1, $2] = $3; cpu[$1, $2] = $4; ld[$1, $2] = $5 " " $6 " " $7
    if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
  END {
    o1 = cpu["openssl", 1]; o2 = cpu["openssl", 2]
    printf "%-26s | %7s %9s %6s | %7s %9s %6s | %5s | %s\n", "signer", "1t wall", "per CPU-s", "x ossl", "2t wall", "per CPU-s", "x ossl", "2t/1t", "load average at start"
    for (i = 0; i < n; i++) {
      k = order[i]
      printf "%-26s | %7.0f %9.0f %6.2f | %7.0f %9.0f %6.2f | %5.2f | %s\n", k, wall[k, 1], cpu[k, 1], (o1 ? cpu[k, 1] / o1 : 0), wall[k, 2], cpu[k, 2], (o2 ? cpu[k, 2] / o2 : 0), (wall[k, 1] ? wall[k, 2] / wall[k, 1] : 0), ld[k, 1]
    }
  }' "$RESULTS"
