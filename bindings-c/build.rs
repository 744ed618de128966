//! Regenerates `include/finauth.h` from the `extern "C"` items of `src/` with cbindgen. The header
//! is committed; cbindgen rewrites it only when its content changes, and `scripts/test-c.sh`
//! fails when a build changed it (a stale committed header).

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=include/finauth.h");
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen could not generate include/finauth.h");
    bindings.write_to_file(dir.join("include/finauth.h"));
}
