#!/usr/bin/env bash
# Checks what scripts/dist.sh wrote: one version everywhere, each native object for its
# architecture and needing no glibc symbol newer than the limit, and the contents each package
# manager and each consumer expects. Usage: dist-check.sh DIST VERSION GLIBC_MAX "ARCHS"
set -euo pipefail
DIST="$1" VERSION="$2" GLIBC_MAX="$3"
read -r -a ARCHS <<<"$4"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
fail() { echo "dist check FAILED: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# The development copies of the version, which the artifacts do not read, must not drift.
node_dev="$(node -p "require('$ROOT/bindings-node/package.json').version")"
[ "$node_dev" = "$VERSION" ] || fail "bindings-node/package.json has $node_dev, the workspace $VERSION"
pom_dev="$(sed -n 's|.*<revision>\(.*\)</revision>.*|\1|p' "$ROOT/bindings-kotlin/pom.xml" | head -n1)"
[ "$pom_dev" = "$VERSION" ] || fail "bindings-kotlin/pom.xml's revision is $pom_dev, the workspace $VERSION"

# check_elf FILE ARCH: the machine, and the newest GLIBC_x.y symbol version it needs.
check_elf() {
  local file="$1" arch="$2" machine want newest
  machine="$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')"
  case "$arch" in
    x86_64) want="Advanced Micro Devices X86-64" ;;
    aarch64) want="AArch64" ;;
  esac
  [ "$machine" = "$want" ] || fail "$file is for '$machine', not $arch"
  newest="$(readelf -W --dyn-syms --version-info "$file" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)"
  [ -n "$newest" ] || fail "$file needs no glibc symbol at all (not a dynamic glibc object?)"
  [ "$(printf '%s\n%s\n' "$newest" "$GLIBC_MAX" | sort -V | tail -n1)" = "$GLIBC_MAX" ] ||
    fail "$file needs GLIBC_$newest (limit $GLIBC_MAX)"
  ok "$(basename "$file") ($arch): newest glibc symbol GLIBC_$newest"
}

for arch in "${ARCHS[@]}"; do
  case "$arch" in x86_64) np=linux-x64-gnu jna=linux-x86-64 ;; aarch64) np=linux-arm64-gnu jna=linux-aarch64 ;; esac

  # Python: a manylinux2014 abi3 wheel for CPython >= 3.9, with the version in its metadata.
  whl="$(ls "$DIST"/finauth-"$VERSION"-cp39-abi3-manylinux*2_17*"$arch".whl 2>/dev/null | head -n1)"
  [ -n "$whl" ] || fail "no manylinux2014 $arch wheel of $VERSION in $DIST"
  mkdir -p "$WORK/whl-$arch"
  (cd "$WORK/whl-$arch" && python3 -m zipfile -e "$whl" .)
  grep -qx "Version: $VERSION" "$WORK"/whl-"$arch"/finauth-"$VERSION".dist-info/METADATA || fail "$whl: metadata version"
  grep -qx "Requires-Python: >=3.9" "$WORK"/whl-"$arch"/finauth-"$VERSION".dist-info/METADATA || fail "$whl: Requires-Python"
  check_elf "$(ls "$WORK"/whl-"$arch"/finauth/_finauth*.so)" "$arch"

  # Node: the platform package carries the addon, named as native.js looks for it.
  tgz="$DIST/finauth-$np-$VERSION.tgz"
  [ -f "$tgz" ] || fail "no $tgz"
  mkdir -p "$WORK/npm-$np"
  tar -xzf "$tgz" -C "$WORK/npm-$np"
  [ "$(node -p "require('$WORK/npm-$np/package/package.json').version")" = "$VERSION" ] || fail "$tgz: version"
  check_elf "$WORK/npm-$np/package/finauth.$np.node" "$arch"

  # C/C++: shared (with its SONAME) and static library, headers, pkg-config, CMake package.
  ctgz="$DIST/finauth-$VERSION-linux-$arch.tar.gz"
  [ -f "$ctgz" ] || fail "no $ctgz"
  tar -xzf "$ctgz" -C "$WORK"
  c="$WORK/finauth-$VERSION-linux-$arch"
  for f in lib/libfinauth.so lib/libfinauth.a include/finauth.h include/finauth.hpp lib/pkgconfig/finauth.pc \
    lib/cmake/finauth/finauthConfig.cmake lib/cmake/finauth/finauthConfigVersion.cmake README.md LICENSE; do
    [ -e "$c/$f" ] || fail "$ctgz has no $f"
  done
  [ -L "$c/lib/libfinauth.so" ] || fail "$ctgz: lib/libfinauth.so is not the link to the SONAME file"
  soname="$(readelf -d "$c/lib/libfinauth.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')"
  [ -n "$soname" ] && [ -f "$c/lib/$soname" ] || fail "$ctgz: SONAME '$soname' is not a file in lib/"
  grep -qx "Version: $VERSION" "$c/lib/pkgconfig/finauth.pc" || fail "$ctgz: finauth.pc version"
  grep -q 'pcfiledir' "$c/lib/pkgconfig/finauth.pc" || fail "$ctgz: finauth.pc is not relocatable"
  grep -q "\"$VERSION\"" "$c/lib/cmake/finauth/finauthConfigVersion.cmake" || fail "$ctgz: CMake version"
  check_elf "$c/lib/$soname" "$arch"

  # JVM: the library under JNA's resource name for the platform.
  jar="$DIST/finauth-$VERSION.jar"
  mkdir -p "$WORK/jar"
  (cd "$WORK/jar" && python3 -m zipfile -e "$jar" .)
  check_elf "$WORK/jar/$jna/libfinauth_jvm.so" "$arch"
done

# The main npm package: no native code, and an optional dependency on each platform package.
main="$DIST/finauth-$VERSION.tgz"
[ -f "$main" ] || fail "no $main"
mkdir -p "$WORK/npm-main"
tar -xzf "$main" -C "$WORK/npm-main"
[ -z "$(find "$WORK/npm-main" -name '*.node')" ] || fail "$main carries a .node"
deps="$(node -p "Object.entries(require('$WORK/npm-main/package/package.json').optionalDependencies).map(([k, v]) => k + '@' + v).join(' ')")"
want=""
for arch in "${ARCHS[@]}"; do
  case "$arch" in x86_64) want="$want finauth-linux-x64-gnu@$VERSION" ;; aarch64) want="$want finauth-linux-arm64-gnu@$VERSION" ;; esac
done
[ "$deps" = "${want# }" ] || fail "$main: optionalDependencies are '$deps', want '${want# }'"
ok "finauth-$VERSION.tgz: no .node; optionalDependencies $deps"

# The sdist and the POM.
[ -f "$DIST/finauth-$VERSION.tar.gz" ] || fail "no sdist finauth-$VERSION.tar.gz"
pom="$DIST/finauth-$VERSION.pom"
grep -q "<version>$VERSION</version>" "$pom" || fail "$pom: version"
if grep -q '<scope>test</scope>\|<build>\|\${revision}' "$pom"; then fail "$pom is not a consumer POM"; fi
ok "finauth-$VERSION.pom: a consumer POM"
[ "$(find "$WORK/jar" -name libfinauth_jvm.so | wc -l)" -eq "${#ARCHS[@]}" ] || fail "the jar carries other native libraries"
echo "dist check: all passed ($VERSION; ${ARCHS[*]}; glibc <= $GLIBC_MAX)"
