#!/usr/bin/env bash
# Runs Mastercard's Java reference OAuth 1.0a signer (com.mastercard.developer:oauth1-signer, from
# Maven Central) over core/tests/oauth1-reference/corpus.tsv and compares its output with the
# committed core/tests/oauth1-reference/expected.json (exit 1 on any difference).
#   scripts/oauth1-reference.sh           verify
#   scripts/oauth1-reference.sh --write   regenerate expected.json
# Needs Java 11+ and Maven.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/core/tests/oauth1-reference"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mvn -B -q -f "$dir/pom.xml" dependency:build-classpath -Dmdep.outputFile="$tmp/classpath" >&2
java -cp "$(cat "$tmp/classpath")" "$dir/Reference.java" "$dir/corpus.tsv" \
  "$root/core/tests/oauth1-keys/pkcs8.der" > "$tmp/expected.json"
if [[ "${1:-}" == "--write" ]]; then
  cp "$tmp/expected.json" "$dir/expected.json"
  echo "wrote $dir/expected.json" >&2
elif diff -u "$dir/expected.json" "$tmp/expected.json"; then
  echo "oauth1 reference: expected.json matches the Java reference signer" >&2
else
  echo "oauth1 reference: expected.json differs from the Java reference signer (run with --write and review)" >&2
  exit 1
fi
