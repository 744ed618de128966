#!/usr/bin/env bash
# Mastercard payload encryption benchmark, figures only: finauth in Rust (criterion, the
# reference line), Python and Node side by side with Mastercard's official client-encryption
# libraries of the same language (Java: the JVM binding and Mastercard's Java library), in one run;
# prints one table with the ratio finauth / official. Installs the official libraries
# (bench/encryption/.venv from requirements.txt, node_modules with `npm ci` from package-lock.json,
# the Java class path with Maven), builds finauth in release (Node addon, Python wheel, the Rust
# bench) into the one target directory; needs the package registries the first time.
# Usage: bash bench/encryption/run.sh [seconds per round, default 1]   (FINAUTH_BENCH_ROUNDS: 5)
source "$(dirname "$0")/../../scripts/common.sh"
export FINAUTH_BENCH_SECONDS="${1:-${FINAUTH_BENCH_SECONDS:-1}}"
export FINAUTH_BENCH_ROUNDS="${FINAUTH_BENCH_ROUNDS:-5}"
HERE="$ROOT/bench/encryption"
WORK="$CARGO_TARGET_DIR/encryption-bench"
REL="$CARGO_TARGET_DIR/release"
mkdir -p "$WORK"

START_DATE="$(date -u)"
START_LOAD="$(cat /proc/loadavg)"
# Other compilers or test runs on the machine at the start (their figures share the 2 cores).
OTHERS="$(ps -eo comm= | grep -cE '^(rustc|cargo|clippy-driver|cc1|cc1plus|java|node|python3?)$' || true)"

step "Mastercard's official libraries"
VENV="$HERE/.venv"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt" 'maturin==1.16.0'
(cd "$HERE" && npm ci --silent --no-audit --no-fund)
JAVA=""
if command -v mvn >/dev/null && command -v java >/dev/null; then
  JAVA=1
  mvn -B -q -f "$ROOT/core/tests/encryption-reference/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$WORK/java-classpath" >&2
  mvn -B -q -f "$ROOT/bindings-kotlin/pom.xml" dependency:build-classpath -Dmdep.includeScope=runtime \
    -Dmdep.outputFile="$WORK/finauth-jvm-classpath" >&2
else
  echo "note: no java/mvn; the Java rows are skipped" >&2
fi

step "release builds (Node addon, Python wheel, Rust bench)"
cargo build --release --locked -p finauth-node
# Node loads an addon by its extension: a copy named .node, given by FINAUTH_NODE_ADDON (the
# debug addon of bindings-node/ stays as it is).
cp "$REL/libfinauth_node.so" "$WORK/finauth-release.node"
WHEELS="$WORK/wheels"
rm -rf "$WHEELS"
"$VENV/bin/maturin" build --quiet --release --locked --manifest-path bindings-python/Cargo.toml \
  --interpreter "$PY" --out "$WHEELS"
"$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/finauth-*.whl
cargo bench --locked -p finauth-bench --bench encryption --no-run
if [ -n "$JAVA" ]; then
  # The JVM jar with the release native library inside (and uniffi-bindgen of the same build);
  # bindings-kotlin/target is rebuilt by scripts/test-kotlin.sh, so the copy kept is ours.
  cargo build --release --locked -p finauth-kotlin
  mvn -B -q -Dstyle.color=never -f bindings-kotlin/pom.xml package -DskipTests \
    -Dfinauth.native.dir="$REL" >&2
  cp bindings-kotlin/target/finauth-*.jar "$WORK/finauth-jvm-release.jar"
fi

RESULTS="$WORK/results.txt"
: >"$RESULTS"
load() { cut -d' ' -f1-3 /proc/loadavg; }
# measure NAME COMMAND...: runs it, keeps its RESULT and NOTE lines, with the load at its start.
measure() {
  local name="$1"
  shift
  echo "NOTE $name load-average-at-start $(load)" >>"$RESULTS"
  step "$name (load average $(load))"
  "$@" | tee "$WORK/out.txt"
  grep -E '^(RESULT|NOTE) ' "$WORK/out.txt" >>"$RESULTS" || true
}

measure rust cargo bench --locked -p finauth-bench --bench encryption
measure python "$PY" "$HERE/python_bench.py"
measure node env FINAUTH_NODE_ADDON="$WORK/finauth-release.node" node "$HERE/node_bench.js"
if [ -n "$JAVA" ]; then
  JAVA_CP="$(cat "$WORK/java-classpath"):$WORK/finauth-jvm-release.jar:$(cat "$WORK/finauth-jvm-classpath")"
  measure java java -cp "$JAVA_CP" "$HERE/JavaBench.java" "$ROOT"
fi

step "payloads (SHA-256: Rust's files, then each language's NOTE lines)"
sha256sum "$WORK/payload-1k.json" "$WORK/payload-1m.json"
grep -E '^NOTE payload-' "$RESULTS" || true

step "summary"
echo "started $START_DATE; load average at the start: $START_LOAD; compiler/runtime processes then: $OTHERS"
echo "at the end: $(cat /proc/loadavg)"
grep -E '^NOTE .*load-average-at-start' "$RESULTS" | sed 's/^NOTE /  /'
grep -E "^NOTE (python|node|java) " "$RESULTS" | grep -v load-average | sed "s/^NOTE /  /"
echo
python3 "$HERE/report.py" "$CARGO_TARGET_DIR/criterion" "$RESULTS"
