#!/usr/bin/env bash
# The arm64 part of scripts/test-dist.sh, run on the host inside its network namespace: every
# arm64 program runs under qemu-aarch64-static, called explicitly inside the chroot (this host has
# no binfmt_misc handler, and the tests must not register one). Nothing here may exec another
# arm64 program (the kernel could not run it), so there is no shell inside: each step is one
# qemu process. Usage: dist-inside-qemu.sh ROOT VERSION (SANDBOX_URL in the environment).
set -euo pipefail
R="$1" V="$2"
T=/finauth-test
QEMU=/usr/bin/qemu-aarch64-static
run() {
  env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 SANDBOX_URL="$SANDBOX_URL" "$@" \
    "$(command -v chroot)" "$R" "$QEMU" "${QEMU_ARGS[@]}"
}
say() { printf '\n--> [Debian arm64, qemu-user] %s\n' "$*"; }
QEMU_ARGS=()

py="$R/usr/bin/$(readlink "$R/usr/bin/python3")"
[ "$(readelf -h "$py" | sed -n 's/^ *Machine: *//p')" = AArch64 ] || { echo "error: $py is not an arm64 program" >&2; exit 1; }

say "pip install --no-index the aarch64 wheel"
rm -rf "$R/tmp/finauth-site"
QEMU_ARGS=(/usr/bin/python3 -m pip install --quiet --no-index --disable-pip-version-check --no-compile
  --break-system-packages --root-user-action=ignore
  --target /tmp/finauth-site "$(cd "$R" && ls "finauth-test/dist/finauth-$V-cp39-abi3-manylinux"*aarch64.whl | sed 's|^|/|')")
run
say "the wheel imports and gets a token from the sandbox"
QEMU_ARGS=(/usr/bin/python3 -c '
import os, platform, finauth
a = finauth.PartnerAuth(partner_id="finauth-demo-partner", partner_secret="DemoSecret2026",
                        app_key="demo-app-key", base_url=os.environ["SANDBOX_URL"], allow_insecure_loopback=True)
print("python", platform.machine(), "finauth", finauth.__version__, "token of", len(a.token()), "characters")
')
run PYTHONPATH=/tmp/finauth-site

say "the arm64 Node package loads and gets a token"
# npm is a Node program too: the tarballs are unpacked where npm would put them.
app="$R/tmp/finauth-node-app/node_modules"
rm -rf "$R/tmp/finauth-node-app"
mkdir -p "$app/finauth" "$app/finauth-linux-arm64-gnu"
tar -xzf "$R$T/dist/finauth-$V.tgz" -C "$app/finauth" --strip-components=1
tar -xzf "$R$T/dist/finauth-linux-arm64-gnu-$V.tgz" -C "$app/finauth-linux-arm64-gnu" --strip-components=1
QEMU_ARGS=("$T/node-arm64/bin/node" -e '
const f = require("/tmp/finauth-node-app/node_modules/finauth")
const a = new f.PartnerAuth({ partnerId: "finauth-demo-partner", partnerSecret: "DemoSecret2026", appKey: "demo-app-key",
  baseUrl: process.env.SANDBOX_URL, allowInsecureLoopback: true })
a.token().then((t) => console.log("node", process.version, process.arch, "finauth", f.version, "token of", t.length, "characters"))
  .catch((e) => { console.error(e); process.exit(1) })
')
run

say "the aarch64 libfinauth.so answers finauth_version()"
rm -rf "$R/tmp/finauth-c" && mkdir -p "$R/tmp/finauth-c"
tar -xzf "$R$T/dist/finauth-$V-linux-aarch64.tar.gz" -C "$R/tmp/finauth-c"
QEMU_ARGS=(/usr/bin/python3 -c '
import ctypes, sys
lib = ctypes.CDLL("/tmp/finauth-c/finauth-'"$V"'-linux-aarch64/lib/libfinauth.so")
lib.finauth_version.restype = ctypes.c_char_p
v = lib.finauth_version().decode()
print("libfinauth.so (aarch64): finauth_version() =", v)
sys.exit(0 if v == "'"$V"'" else 1)
')
run
say "passed"
