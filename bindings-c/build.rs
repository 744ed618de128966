//! Regenerates `include/finauth.h` from the `extern "C"` items of `src/` with cbindgen. The header
//! is committed; cbindgen rewrites it only when its content changes, and `scripts/test-c.sh`
//! fails when a build changed it (a stale committed header).

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=include/finauth.h");
    soname();
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen could not generate include/finauth.h");
    bindings.write_to_file(dir.join("include/finauth.h"));
}

/// `libfinauth.so.<major>` (`.so.0.<minor>` before 1.0, where a minor release may break the ABI),
/// so a program linked against one release refuses a later incompatible one instead of crashing.
/// `make install` and the release tarballs add the `libfinauth.so` link for `-lfinauth`.
fn soname() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os != "linux" {
        return;
    }
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
    let abi = if major == "0" {
        format!("0.{minor}")
    } else {
        major
    };
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libfinauth.so.{abi}");
}
