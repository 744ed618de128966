# The two commands of the README. Both install what they need (Rust crates via cargo; later
# bindings add their own steps to scripts/) and build into the one target/ directory.
.PHONY: quickstart test test-rust test-python test-node test-c test-jvm dist test-dist lint bench fuzz

quickstart:
	bash scripts/quickstart.sh

test:
	bash scripts/test.sh

# One language at a time (CONTRIBUTING.md); each builds what it needs and starts a throw-away
# redis-server so its RedisStore tests run. `make test` runs them all, and the OAuth 1.0a
# reference check and the quickstarts besides.
test-rust:
	bash scripts/with-redis.sh bash scripts/test-rust.sh

test-python:
	bash scripts/with-redis.sh bash scripts/test-python.sh

test-node:
	bash scripts/with-redis.sh bash scripts/test-node.sh

test-c:
	bash scripts/with-redis.sh bash scripts/test-c.sh

test-jvm:
	bash scripts/with-redis.sh bash scripts/test-kotlin.sh

# Release artifacts into dist/ (scripts/dist.sh), and their tests on fresh Debian systems
# (scripts/test-dist.sh: debootstrap, chroot, qemu-user; needs root). `make test` runs both.
dist:
	bash scripts/dist.sh

test-dist:
	bash scripts/test-dist.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

bench:
	cargo bench -p finauth-bench --bench token

# Coverage-guided fuzzing of every outside input (docs/FUZZING.md): each target FUZZ_SECONDS
# (default 60); `scripts/fuzz.sh smoke` is a 10-second run of each.
fuzz:
	bash scripts/fuzz.sh
