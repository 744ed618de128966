# The two commands of the README. Both install what they need (Rust crates via cargo; later
# bindings add their own steps to scripts/) and build into the one target/ directory.
.PHONY: quickstart test lint bench

quickstart:
	bash scripts/quickstart.sh

test:
	bash scripts/test.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

bench:
	cargo bench -p finauth-bench --bench token
