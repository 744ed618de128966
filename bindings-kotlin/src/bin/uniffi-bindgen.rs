//! `uniffi-bindgen` for the Maven build: generates the Kotlin sources from the built library.
fn main() {
    uniffi::uniffi_bindgen_main()
}
