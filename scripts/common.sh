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
