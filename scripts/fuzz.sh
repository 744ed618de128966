#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo fuzz, libFuzzer + AddressSanitizer) of every input finauth
# reads from outside the process: the targets of fuzz/ (docs/FUZZING.md).
#
#   scripts/fuzz.sh                 build, then run every target FUZZ_SECONDS (default 60)
#   scripts/fuzz.sh smoke           the same with FUZZ_SECONDS=10 (CI)
#   scripts/fuzz.sh TARGET...       only these targets
#   FUZZ_RUNS=10000000 scripts/fuzz.sh TARGET   stop after that many executions (a long run; the
#                                   time limit then defaults to 12 h)
#   FUZZ_SANITIZER=none ...         without AddressSanitizer (faster; see below)
#
# Fails on any crash, leak, timeout or out-of-memory (a non-zero libFuzzer exit); the input is
# then in fuzz/artifacts/TARGET/. New inputs found go to fuzz/target/corpus/TARGET (not
# committed); the seeds in fuzz/corpus/TARGET are read, never written.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
if [[ ${1:-} == smoke ]]; then
    shift
    FUZZ_SECONDS=${FUZZ_SECONDS:-10}
fi
RUNS=()
if [[ -n ${FUZZ_RUNS:-} ]]; then
    RUNS=(-runs="$FUZZ_RUNS")
    FUZZ_SECONDS=${FUZZ_SECONDS:-43200}
fi
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
RSS_LIMIT_MB=${FUZZ_RSS_LIMIT_MB:-2048}
# AddressSanitizer (and LeakSanitizer with it) by default. FUZZ_SANITIZER=none runs 2-3 times
# faster, for long runs of the targets that reach no unsafe code; it builds into its own
# directory so the sanitized binaries stay. The corpus is shared.
SANITIZER=${FUZZ_SANITIZER:-address}
TARGET_DIR=()
LEAKS=(-detect_leaks=1)
if [[ $SANITIZER != address ]]; then
    TARGET_DIR=(--target-dir "fuzz/target/sanitizer-$SANITIZER")
    [[ $SANITIZER == leak ]] || LEAKS=()
fi
# store_documents writes a real state file per input: on tmpfs its fsync costs nothing.
if [[ -z ${FUZZ_STORE_DIR:-} && -d /dev/shm && -w /dev/shm ]]; then
    export FUZZ_STORE_DIR=/dev/shm
fi
TIMEOUT_SECONDS=${FUZZ_TIMEOUT_SECONDS:-10}

export PATH="$HOME/.cargo/bin:$PATH"
if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz.sh: cargo fuzz needs the nightly toolchain (rustup toolchain install nightly)" >&2
    exit 1
fi
if [[ $(cargo fuzz --version 2>/dev/null) != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    echo "fuzz.sh: installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# Release with debug assertions and overflow checks: what a fuzz run should trip on.
FLAGS=(-O -a -s "$SANITIZER" "${TARGET_DIR[@]}")
start=$(now)
cargo +nightly fuzz build "${FLAGS[@]}"
echo "fuzz.sh: built every target in $(secs "$start" "$(now)") s"

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

failed=()
summary=()
for t in "${targets[@]}"; do
    mkdir -p "fuzz/target/corpus/$t" "fuzz/artifacts/$t"
    dict=()
    [[ -f fuzz/dict/$t.dict ]] && dict=("-dict=fuzz/dict/$t.dict")
    # One log per target and sanitizer: a long run without one and a smoke run with may overlap.
    log="fuzz/target/$t.$SANITIZER.log"
    start=$(now)
    set +e
    cargo +nightly fuzz run "${FLAGS[@]}" "$t" "fuzz/target/corpus/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$FUZZ_SECONDS" -rss_limit_mb="$RSS_LIMIT_MB" -timeout="$TIMEOUT_SECONDS" \
        "${LEAKS[@]}" "${RUNS[@]}" -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" "${dict[@]}" \
        >"$log" 2>&1
    rc=$?
    set -e
    took=$(secs "$start" "$(now)")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -ao 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
    line=$(printf '%-20s %12s execs %8s exec/s  %-22s %7s s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "$took")
    if [[ $rc -ne 0 ]]; then
        line+="  FAILED (exit $rc, see $log and fuzz/artifacts/$t/)"
        failed+=("$t")
        grep -aE '^(==[0-9]+==ERROR|thread .* panicked|SUMMARY|ALARM)' "$log" | head -5 >&2 || true
    fi
    echo "$line"
    summary+=("$line")
done

echo "fuzz.sh: ${#targets[@]} targets, FUZZ_SECONDS=$FUZZ_SECONDS, sanitizer $SANITIZER"
printf '  %s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
