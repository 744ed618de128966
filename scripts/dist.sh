#!/usr/bin/env bash
# make dist: the release artifacts, into dist/, for Linux x86_64 and aarch64, each needing glibc
# 2.17 or newer (manylinux2014), none needing Rust on the system that installs it:
#   - Python: abi3 wheels (CPython >= 3.9) and an sdist that builds from itself;
#   - Node: the main `finauth` tarball (no .node inside; optionalDependencies on the platform
#     packages) and one tarball per platform package (finauth-linux-x64-gnu, ...-arm64-gnu);
#   - C/C++: finauth-<version>-linux-<arch>.tar.gz (shared and static library, headers,
#     pkg-config file, CMake package, README, licence);
#   - JVM: one jar with the native library of each platform in JNA's resource layout, and its POM;
#   - SHA256SUMS.
# The version of every artifact is the workspace's (Cargo.toml [workspace.package]). The builds are
# cross builds with zig as the C compiler and linker (cargo-zigbuild, maturin --zig), which links
# against glibc 2.17's symbol versions: without it the objects would need this host's glibc.
# Environment: FINAUTH_DIST_ARCHS (default "x86_64 aarch64"), DIST_DIR (default dist).
source "$(dirname "$0")/common.sh"

ARCHS=(${FINAUTH_DIST_ARCHS:-x86_64 aarch64})
DIST="${DIST_DIR:-$ROOT/dist}"
STAGE="$CARGO_TARGET_DIR/dist-stage"
GLIBC_MAX=2.17
VERSION="$(workspace_version)"
[ -n "$VERSION" ] || { echo "error: no version in Cargo.toml [workspace.package]" >&2; exit 1; }
need node "install Node.js (npm pack)"
need npm "install npm"
need readelf "install binutils"
if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq maven default-jdk-headless >/dev/null
fi
timed() { local t=$SECONDS; "$@"; echo "($((SECONDS - t)) s)"; }

step "tools: zig, cargo-zigbuild, maturin (pinned, from PyPI into $CARGO_TARGET_DIR/venv-dist)"
TOOLS="$CARGO_TARGET_DIR/venv-dist"
[ -x "$TOOLS/bin/python" ] || python3 -m venv "$TOOLS"
"$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check \
  'ziglang==0.17.1' 'cargo-zigbuild==0.24.1' 'maturin==1.16.0'
export PATH="$TOOLS/bin:$PATH"
for arch in "${ARCHS[@]}"; do
  rustup target list --installed | grep -qx "$arch-unknown-linux-gnu" || rustup target add "$arch-unknown-linux-gnu"
done
# Release builds without debug info (the workspace's release profile keeps line tables for
# benchmarks and backtraces), symbols stripped: what users install.
export CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=symbols

rm -rf "$DIST" "$STAGE"
mkdir -p "$DIST" "$STAGE"

for arch in "${ARCHS[@]}"; do
  triple="$arch-unknown-linux-gnu"
  step "Python wheel, $arch, manylinux2014 (maturin --zig)"
  timed maturin build --quiet --release --locked --zig --target "$triple" --compatibility manylinux2014 \
    --manifest-path bindings-python/Cargo.toml --out "$DIST"
  step "Node addon, C library and JVM library, $arch, glibc $GLIBC_MAX (cargo zigbuild)"
  # One invocation: the three crates share one build of core and its dependencies.
  timed cargo zigbuild --quiet --release --locked --target "$triple.$GLIBC_MAX" \
    -p finauth-node -p finauth-c -p finauth-kotlin --lib
done

step "Python sdist"
timed maturin sdist --manifest-path bindings-python/Cargo.toml --out "$DIST"

# --- Node -------------------------------------------------------------------------------------
node_platform() { case "$1" in x86_64) echo linux-x64-gnu ;; aarch64) echo linux-arm64-gnu ;; esac; }
node_cpu() { case "$1" in x86_64) echo x64 ;; aarch64) echo arm64 ;; esac; }

step "npm packages: finauth and its platform packages"
platforms=()
for arch in "${ARCHS[@]}"; do
  p="$(node_platform "$arch")"
  platforms+=("$p")
  dir="$STAGE/npm/finauth-$p"
  mkdir -p "$dir"
  cp "$CARGO_TARGET_DIR/$arch-unknown-linux-gnu/release/libfinauth_node.so" "$dir/finauth.$p.node"
  FINAUTH_VERSION="$VERSION" PLATFORM="$p" CPU="$(node_cpu "$arch")" node -e '
    const fs = require("node:fs");
    const main = require(process.argv[1]);
    const { FINAUTH_VERSION: version, PLATFORM: platform, CPU: cpu } = process.env;
    const pkg = {
      name: `finauth-${platform}`,
      version,
      description: `The native addon of finauth for ${platform} (glibc >= 2.17); installed by the finauth package`,
      license: main.license,
      os: ["linux"],
      cpu: [cpu],
      libc: ["glibc"],
      main: `finauth.${platform}.node`,
      files: [`finauth.${platform}.node`, "README.md"],
      engines: main.engines,
    };
    fs.writeFileSync(process.argv[2] + "/package.json", JSON.stringify(pkg, null, 2) + "\n");
    fs.writeFileSync(process.argv[2] + "/README.md",
      `# finauth-${platform}\n\nThe native addon of the finauth package for ${platform}. ` +
      "Install `finauth`, not this package: npm picks the platform package itself.\n");
  ' "$ROOT/bindings-node/package.json" "$dir"
  (cd "$dir" && npm pack --silent --pack-destination "$DIST" >/dev/null)
done

dir="$STAGE/npm/finauth"
mkdir -p "$dir"
# The files the package.json lists, without any .node of a development checkout.
FINAUTH_VERSION="$VERSION" PLATFORMS="${platforms[*]}" node -e '
  const fs = require("node:fs");
  const path = require("node:path");
  const [src, dst] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(path.join(src, "package.json"), "utf8"));
  pkg.version = process.env.FINAUTH_VERSION;
  pkg.files = pkg.files.filter((f) => !f.endsWith(".node"));
  const platforms = process.env.PLATFORMS.split(" ");
  pkg.optionalDependencies = Object.fromEntries(platforms.map((p) => [`finauth-${p}`, pkg.version]));
  // Only the targets really built are named (napi-rs reads this list).
  const triples = { "linux-x64-gnu": "x86_64-unknown-linux-gnu", "linux-arm64-gnu": "aarch64-unknown-linux-gnu" };
  pkg.napi.targets = platforms.map((p) => triples[p]);
  delete pkg.devDependencies;
  delete pkg.scripts;
  for (const f of pkg.files) fs.copyFileSync(path.join(src, f), path.join(dst, f));
  fs.writeFileSync(path.join(dst, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
' "$ROOT/bindings-node" "$dir"
cp LICENSE "$dir/"
(cd "$dir" && npm pack --silent --pack-destination "$DIST" >/dev/null)

# --- C / C++ ----------------------------------------------------------------------------------
SONAME_ABI="$(echo "$VERSION" | awk -F. '{ print ($1 == 0) ? "0." $2 : $1 }')"
step "C/C++ tarballs (libfinauth.so.$SONAME_ABI, libfinauth.a, headers, pkg-config, CMake)"
for arch in "${ARCHS[@]}"; do
  name="finauth-$VERSION-linux-$arch"
  out="$STAGE/c/$name"
  rel="$CARGO_TARGET_DIR/$arch-unknown-linux-gnu/release"
  mkdir -p "$out/lib/pkgconfig" "$out/lib/cmake/finauth" "$out/include"
  soname="$(readelf -d "$rel/libfinauth.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')"
  [ "$soname" = "libfinauth.so.$SONAME_ABI" ] || { echo "error: SONAME is '$soname'" >&2; exit 1; }
  cp "$rel/libfinauth.so" "$out/lib/$soname"
  ln -s "$soname" "$out/lib/libfinauth.so"
  cp "$rel/libfinauth.a" "$out/lib/"
  cp bindings-c/include/finauth.h bindings-c/include/finauth.hpp "$out/include/"
  # ${pcfiledir}: the file finds its prefix wherever the tarball is unpacked.
  sed -e 's|^prefix=@PREFIX@|prefix=${pcfiledir}/../..|' -e "s|@VERSION@|$VERSION|" bindings-c/finauth.pc.in \
    >"$out/lib/pkgconfig/finauth.pc"
  sed -e "s|@SONAME@|$soname|" bindings-c/cmake/finauthConfig.cmake.in >"$out/lib/cmake/finauth/finauthConfig.cmake"
  sed -e "s|@VERSION@|$VERSION|" bindings-c/cmake/finauthConfigVersion.cmake.in \
    >"$out/lib/cmake/finauth/finauthConfigVersion.cmake"
  cp bindings-c/README.md "$out/README.md"
  cp LICENSE "$out/"
  tar -C "$STAGE/c" --owner=0 --group=0 --numeric-owner -czf "$DIST/$name.tar.gz" "$name"
done

# --- JVM --------------------------------------------------------------------------------------
step "JVM jar: the native library of each platform under JNA's resource names"
native="$STAGE/jvm-native"
for arch in "${ARCHS[@]}"; do
  case "$arch" in x86_64) jna=linux-x86-64 ;; aarch64) jna=linux-aarch64 ;; esac
  mkdir -p "$native/$jna"
  cp "$CARGO_TARGET_DIR/$arch-unknown-linux-gnu/release/libfinauth_jvm.so" "$native/$jna/"
done
# uniffi-bindgen reads the interface from a library's symbol table, which the stripped release
# libraries no longer have: it reads the debug build of the same sources (the one workspace build
# every script shares; a no-op when make test made it).
build_workspace
timed mvn -B -q -Dstyle.color=never -f bindings-kotlin/pom.xml -Pdist clean package -DskipTests \
  -Drevision="$VERSION" -Dfinauth.native.dir="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release" \
  -Dfinauth.bindgen.dir="$CARGO_TARGET_DIR/debug" -Dfinauth.dist.native="$native" \
  -Dfinauth.build.dir="$STAGE/jvm-build"
cp "$STAGE/jvm-build/finauth-$VERSION.jar" "$DIST/"
cp "$STAGE/jvm-build/.flattened-pom.xml" "$DIST/finauth-$VERSION.pom"

# --- checks -----------------------------------------------------------------------------------
step "checks: versions, glibc symbol versions <= $GLIBC_MAX, contents"
bash scripts/dist-check.sh "$DIST" "$VERSION" "$GLIBC_MAX" "${ARCHS[*]}"

(cd "$DIST" && sha256sum -- * >SHA256SUMS)
step "dist/ ($VERSION)"
(cd "$DIST" && ls -l)
