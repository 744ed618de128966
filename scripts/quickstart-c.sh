#!/usr/bin/env bash
# The C and C++ quickstarts: installs libfinauth into a temporary PREFIX (make install), builds
# examples/c/quickstart.c and examples/cpp/quickstart.cpp against it with pkg-config and libcurl,
# and runs both against a local sandbox. Nothing here touches a real Finicity account.
source "$(dirname "$0")/common.sh"

need_pkgs=()
command -v pkg-config >/dev/null 2>&1 || need_pkgs+=(pkg-config)
command -v c++ >/dev/null 2>&1 || need_pkgs+=(g++)
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || need_pkgs+=(libcurl4-openssl-dev)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  step "install ${need_pkgs[*]} (apt-get)"
  apt-get update -qq && apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

WORK="$(mktemp -d)"
on_exit "rm -rf '$WORK'"

step "build libfinauth and the sandbox (debug, into $CARGO_TARGET_DIR)"
build_workspace

PREFIX="$WORK/prefix"
step "install libfinauth into $PREFIX (PREFIX=... make -C bindings-c install)"
PREFIX="$PREFIX" make -s -C bindings-c install CARGO_BUILD_ARGS="--workspace --all-targets"
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
echo "pkg-config --cflags --libs finauth: $(pkg-config --cflags --libs finauth)"
# The library is not in the loader's default path: record its directory in the executables.
RPATH="-Wl,-rpath,$(pkg-config --variable=libdir finauth)"

step "compile the examples against the installed copy"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror examples/c/quickstart.c -o "$WORK/quickstart-c" \
  $(pkg-config --cflags --libs finauth) "$RPATH" -lcurl
# shellcheck disable=SC2046
c++ -std=c++17 -Wall -Wextra -Werror examples/cpp/quickstart.cpp -o "$WORK/quickstart-cpp" \
  $(pkg-config --cflags --libs finauth) "$RPATH" -lcurl
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror examples/c/oauth2_curl.c -o "$WORK/oauth2-curl" \
  $(pkg-config --cflags --libs finauth) "$RPATH" -lcurl
echo "ok: quickstart-c, quickstart-cpp, oauth2-curl"

step "start the sandbox"
start_sandbox
demo_env

step "C: examples/c/quickstart.c"
"$WORK/quickstart-c"

step "C++: examples/cpp/quickstart.cpp (partner auth, then OAuth 2.0 with the sandbox's demo client)"
FINAUTH_OAUTH2_TOKEN_URL="$SANDBOX_URL/oauth2/token" FINAUTH_OAUTH2_CLIENT_ID=finauth-demo-client \
  FINAUTH_OAUTH2_CLIENT_SECRET=demo-client-secret \
  FINAUTH_OAUTH2_RESOURCE_URL="$SANDBOX_URL/oauth2/resource/accounts" \
  "$WORK/quickstart-cpp"

step "C: examples/c/oauth2_curl.c (OAuth 2.0 client credentials, the sandbox's demo client)"
FINAUTH_OAUTH2_TOKEN_URL="$SANDBOX_URL/oauth2/token" FINAUTH_OAUTH2_CLIENT_ID=finauth-demo-client \
  FINAUTH_OAUTH2_CLIENT_SECRET=demo-client-secret FINAUTH_ALLOW_INSECURE_LOOPBACK=1 \
  "$WORK/oauth2-curl" "$SANDBOX_URL/oauth2/resource/accounts"

echo
echo "C/C++ quickstart finished"
