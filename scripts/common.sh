# Shared by scripts/*.sh: fail loudly, one target directory, tools present.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: $1 is required ($2)" >&2; exit 1; }
}
need cargo "install Rust with rustup"
need cc "install gcc (Debian: apt-get install build-essential)"

step() { printf '\n==> %s\n' "$*"; }

# Cleanups run when the script exits, newest first: `on_exit 'command'` (instead of `trap`).
_finauth_cleanups=()
on_exit() { _finauth_cleanups=("$*" "${_finauth_cleanups[@]}"); }
_finauth_run_cleanups() {
  local c
  for c in "${_finauth_cleanups[@]}"; do eval "$c" || true; done
}
trap _finauth_run_cleanups EXIT

# build_workspace: the one debug build every script reuses. Always the whole workspace with all
# targets: cargo resolves dependency features per selection of packages, so `-p X` alone would
# compile tokio, hyper, reqwest and core once more with other features. A no-op once built.
build_workspace() {
  cargo build --workspace --all-targets --locked
}

# workspace_version: the one version of every artifact (Cargo.toml [workspace.package]).
workspace_version() {
  sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$ROOT/Cargo.toml"
}

# soname_link DIR: libfinauth.so carries a versioned SONAME (bindings-c/build.rs), which is what a
# program linked against it asks the loader for: put that name beside the build output.
soname_link() {
  local soname
  soname="$(readelf -d "$1/libfinauth.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')"
  [ -n "$soname" ] || { echo "error: $1/libfinauth.so has no SONAME" >&2; return 1; }
  ln -sf libfinauth.so "$1/$soname"
}

# start_sandbox [args...]: the debug sandbox binary (the caller builds it) in the background on a
# free loopback port; sets SANDBOX_URL and SANDBOX_PID; stopped when the script exits.
start_sandbox() {
  local out
  # Its output is kept under FINAUTH_TEST_ARTIFACTS when set, for scripts/secret-scan.sh.
  if [ -n "${FINAUTH_TEST_ARTIFACTS:-}" ]; then
    mkdir -p "$FINAUTH_TEST_ARTIFACTS"
    out="$(mktemp "$FINAUTH_TEST_ARTIFACTS/sandbox-XXXXXX")"
  else
    out="$(mktemp)"
  fi
  "$CARGO_TARGET_DIR/debug/finauth-sandbox" --port 0 "$@" >"$out" 2>"$out.err" &
  SANDBOX_PID=$!
  if [ -n "${FINAUTH_TEST_ARTIFACTS:-}" ]; then
    on_exit "kill $SANDBOX_PID 2>/dev/null"
  else
    on_exit "kill $SANDBOX_PID 2>/dev/null; rm -f '$out' '$out.err'"
  fi
  for _ in $(seq 1 100); do
    [ -s "$out" ] && break
    sleep 0.1
  done
  SANDBOX_URL="$(head -n1 "$out")"
  case "$SANDBOX_URL" in
    http://*) echo "sandbox at $SANDBOX_URL (demo partner)" ;;
    *) echo "error: the sandbox did not start:" >&2; cat "$out.err" >&2; return 1 ;;
  esac
}

# demo_env: point finauth (from_env) at the sandbox's demo partner.
demo_env() {
  export FINICITY_BASE_URL="$SANDBOX_URL"
  export FINICITY_PARTNER_ID=finauth-demo-partner
  export FINICITY_PARTNER_SECRET=DemoSecret2026
  export FINICITY_APP_KEY=demo-app-key
  export FINAUTH_ALLOW_INSECURE_LOOPBACK=1
}
