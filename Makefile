# The two commands of the README. Both install what they need (Rust crates via cargo; later
# bindings add their own steps to scripts/) and build into the one target/ directory.
.PHONY: quickstart test test-rust test-python test-node test-c test-jvm lint bench

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

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

bench:
	cargo bench -p finauth-bench --bench token
