#!/bin/sh
# Runs inside a Debian chroot made by scripts/test-dist.sh, with a clean environment: no Rust, no
# network, no configuration of the host's pip or npm. What it installs comes from
# /finauth-test/dist (the artifacts under test) and /finauth-test/wheelhouse (what the Python
# quickstart imports besides finauth). Parts: python node c java no-ca-store.
# Environment: FINAUTH_VERSION, SANDBOX_URL (plain), SANDBOX_TLS_URL (HTTPS, self-signed; its
# certificate in /finauth-test/sandbox-ca.pem).
set -eu
T=/finauth-test
V="$FINAUTH_VERSION"
DIST="$T/dist"
say() { printf '\n--> [%s] %s\n' "$(. /etc/os-release && echo "$PRETTY_NAME")" "$*"; }

demo() {
  env FINICITY_BASE_URL="$SANDBOX_URL" FINICITY_PARTNER_ID=finauth-demo-partner \
    FINICITY_PARTNER_SECRET=DemoSecret2026 FINICITY_APP_KEY=demo-app-key \
    FINAUTH_ALLOW_INSECURE_LOOPBACK=1 \
    FINAUTH_OAUTH2_TOKEN_URL="$SANDBOX_URL/oauth2/token" FINAUTH_OAUTH2_CLIENT_ID=finauth-demo-client \
    FINAUTH_OAUTH2_CLIENT_SECRET=demo-client-secret "$@"
}

# No compiler may be found where none was asked for (the C part installs gcc on purpose).
no_rust() {
  if command -v cargo >/dev/null 2>&1 || command -v rustc >/dev/null 2>&1; then
    echo "error: this system has Rust" >&2
    exit 1
  fi
}

part_python() {
  pyver="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  say "Python $pyver: pip install --no-index finauth[requests,httpx] from dist/"
  rm -rf /tmp/finauth-venv
  python3 -m venv /tmp/finauth-venv
  /tmp/finauth-venv/bin/pip install --quiet --no-index --disable-pip-version-check \
    --find-links "$DIST" --find-links "$T/wheelhouse/py$pyver" "finauth[requests,httpx]==$V"
  say "Python $pyver: examples/python/quickstart.py"
  (cd /tmp && demo /tmp/finauth-venv/bin/python "$T/examples/python/quickstart.py")
}

part_node() {
  for node in "$T"/node-*; do
    nv="$("$node/bin/node" --version)"
    say "Node $nv: npm install the finauth and finauth-linux-x64-gnu tarballs (offline)"
    rm -rf /tmp/finauth-node-app
    mkdir -p /tmp/finauth-node-app
    cd /tmp/finauth-node-app
    echo '{ "name": "app", "version": "1.0.0", "private": true }' >package.json
    PATH="$node/bin:$PATH" npm install --offline --no-audit --no-fund --loglevel=error \
      "$DIST/finauth-$V.tgz" "$DIST/finauth-linux-x64-gnu-$V.tgz"
    [ ! -e node_modules/finauth/finauth.linux-x64-gnu.node ] || { echo "error: a .node in the main package" >&2; exit 1; }
    say "Node $nv: examples/node/quickstart.js"
    cp "$T/examples/node/quickstart.js" .
    PATH="$node/bin:$PATH" demo node quickstart.js

    say "Node $nv: the main package alone (--omit=optional): require('finauth') names what to install"
    rm -rf /tmp/finauth-node-bare
    mkdir -p /tmp/finauth-node-bare
    cd /tmp/finauth-node-bare
    echo '{ "name": "bare", "version": "1.0.0", "private": true }' >package.json
    PATH="$node/bin:$PATH" npm install --offline --omit=optional --no-audit --no-fund --loglevel=error \
      "$DIST/finauth-$V.tgz"
    out="$(PATH="$node/bin:$PATH" node -e "require('finauth')" 2>&1 || true)"
    case "$out" in
      *"npm install finauth-linux-x64-gnu@$V"*) echo "ok: $(echo "$out" | grep -m1 'no native addon')" ;;
      *) echo "error: the missing platform package was not named:" >&2; echo "$out" >&2; exit 1 ;;
    esac
    cd /
  done
}

part_c() {
  say "C: the tarball, pkg-config, shared and static"
  rm -rf /tmp/finauth-c
  mkdir -p /tmp/finauth-c
  tar -xzf "$DIST/finauth-$V-linux-x86_64.tar.gz" -C /tmp/finauth-c
  P="/tmp/finauth-c/finauth-$V-linux-x86_64"
  export PKG_CONFIG_PATH="$P/lib/pkgconfig"
  cd /tmp/finauth-c
  echo "pkg-config --cflags --libs finauth: $(pkg-config --cflags --libs finauth)"
  # shellcheck disable=SC2046
  cc -std=c11 -Wall -Wextra -Werror "$T/examples/c/quickstart.c" -o quickstart \
    $(pkg-config --cflags --libs finauth) -Wl,-rpath,"$(pkg-config --variable=libdir finauth)" -lcurl
  # Static: the archive itself, then what it needs from libc (Libs.private).
  # shellcheck disable=SC2046
  cc -std=c11 -Wall -Wextra -Werror "$T/examples/c/quickstart.c" -o quickstart-static \
    $(pkg-config --cflags finauth) "$(pkg-config --variable=libdir finauth)/libfinauth.a" \
    $(pkg-config --static --libs-only-l finauth | sed 's/-lfinauth//') -lcurl
  if readelf -d quickstart-static 2>/dev/null | grep -q 'libfinauth'; then
    echo "error: quickstart-static needs libfinauth.so" >&2
    exit 1
  fi
  demo ./quickstart
  demo ./quickstart-static

  say "C: CMake find_package(finauth), finauth::finauth and finauth::finauth_static"
  cmake -S "$T/examples/c" -B /tmp/finauth-c/build -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build /tmp/finauth-c/build >/dev/null
  demo /tmp/finauth-c/build/quickstart
  demo /tmp/finauth-c/build/quickstart_static
  cd /
}

part_java() {
  say "Java $(java -version 2>&1 | head -n1): the Quickstart with the jar (JNA loads the library from it)"
  cd /tmp
  demo java -cp "$T/java/classes:$DIST/finauth-$V.jar:$T/java/lib/*" Quickstart
  cd /
}

# A system with no CA store (slim and distroless images): a loopback http client needs none, and
# HTTPS falls back to the bundled Mozilla roots (so the sandbox's self-signed certificate is
# refused as unknown, not "cannot build the HTTP client"), or uses SSL_CERT_FILE.
# pip itself needs the store (Debian's pip reads its CA bundle at start), so the store is hidden
# after the install, for finauth alone, and put back afterwards.
HIDDEN=/etc/ssl/certs.finauth-hidden
restore_ca_store() {
  if [ -d "$HIDDEN" ]; then rm -rf /etc/ssl/certs && mv "$HIDDEN" /etc/ssl/certs; fi
}
part_no_ca_store() {
  restore_ca_store
  say "no CA store: pip install, a token over plain loopback HTTP, HTTPS with and without SSL_CERT_FILE"
  rm -rf /tmp/finauth-venv-ca
  python3 -m venv /tmp/finauth-venv-ca
  /tmp/finauth-venv-ca/bin/pip install --quiet --no-index --disable-pip-version-check \
    --find-links "$DIST" "finauth==$V"
  trap restore_ca_store EXIT
  if [ -d /etc/ssl/certs ]; then mv /etc/ssl/certs "$HIDDEN"; fi
  mkdir -p /etc/ssl/certs
  n="$(find /etc/ssl/certs -mindepth 1 | wc -l)"
  [ "$n" = 0 ] || { echo "error: /etc/ssl/certs is not empty ($n files)" >&2; exit 1; }
  echo "/etc/ssl/certs is empty"
  cat >/tmp/finauth-ca.py <<'EOF'
import os
import sys

import finauth

def auth(url):
    return finauth.PartnerAuth(partner_id="finauth-demo-partner", partner_secret="DemoSecret2026",
                               app_key="demo-app-key", base_url=url, allow_insecure_loopback=True)

plain, tls = os.environ["SANDBOX_URL"], os.environ["SANDBOX_TLS_URL"]
print("plain http, no CA store: token of", len(auth(plain).token()), "characters")
if os.environ.get("SSL_CERT_FILE"):
    print("https with SSL_CERT_FILE: token of", len(auth(tls).token()), "characters")
    sys.exit(0)
try:
    auth(tls).token()
except finauth.TransportError as e:
    msg = str(e)
    assert "cannot build the HTTP client" not in msg, msg
    assert "certificate" in msg.lower() or "issuer" in msg.lower(), msg
    print("https, no CA store, self-signed server: refused as expected:", msg[:160])
else:
    sys.exit("https to a self-signed server succeeded without trusting it")
EOF
  (cd /tmp && SANDBOX_URL="$SANDBOX_URL" SANDBOX_TLS_URL="$SANDBOX_TLS_URL" /tmp/finauth-venv-ca/bin/python /tmp/finauth-ca.py)
  (cd /tmp && SSL_CERT_FILE="$T/sandbox-ca.pem" /tmp/finauth-venv-ca/bin/python /tmp/finauth-ca.py)
  restore_ca_store
  trap - EXIT
}

no_rust
for part in "$@"; do
  case "$part" in
    python) part_python ;;
    node) part_node ;;
    c) part_c ;;
    java) part_java ;;
    no-ca-store) part_no_ca_store ;;
    *) echo "error: unknown part $part" >&2; exit 2 ;;
  esac
done
say "passed: $*"
