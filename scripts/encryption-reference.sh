#!/usr/bin/env bash
# Interoperability reference for payload encryption: runs Mastercard's Java library
# (com.mastercard.developer:client-encryption 1.7.7, from Maven Central) over
# core/tests/encryption-reference/cases.json with the test keys in core/tests/encryption-keys.
#   scripts/encryption-reference.sh selftest      Java encrypts, then Java decrypts, every case
#   scripts/encryption-reference.sh encrypt DIR   Java-encrypt every case into DIR/<name>.json
#   scripts/encryption-reference.sh decrypt DIR   Java-decrypt finauth's DIR/<name>.json and compare
#   scripts/encryption-reference.sh --write       regenerate core/tests/encryption-reference/vectors/
#   scripts/encryption-reference.sh interop       both ways: Java encrypts, finauth (its Rust test
#                                                 encryption_reference) decrypts and encrypts,
#                                                 Java decrypts and compares
# Exit 1 on any mismatch or error. Needs Java 11+ and Maven.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/core/tests/encryption-reference"
usage() { echo "usage: $0 selftest | encrypt DIR | decrypt DIR | --write | interop" >&2; exit 2; }
case "${1:-}" in
  selftest|--write|interop) [[ $# -eq 1 ]] || usage ;;
  encrypt|decrypt) [[ $# -eq 2 ]] || usage ;;
  *) usage ;;
esac
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mvn -B -q -f "$dir/pom.xml" dependency:build-classpath -Dmdep.outputFile="$tmp/classpath" >&2
run() { java -cp "$(cat "$tmp/classpath")" "$dir/EncryptionReference.java" "$1" "$dir/cases.json" \
  "$root/core/tests/encryption-keys" "$2"; }
case "$1" in
  selftest) run selftest "$tmp/selftest" ;;
  encrypt|decrypt) run "$1" "$2" ;;
  interop)
    run encrypt "$tmp/java"
    mkdir -p "$tmp/finauth"
    FINAUTH_ENCRYPTION_VECTORS="$tmp/java" FINAUTH_ENCRYPTION_OUT="$tmp/finauth" \
      cargo test -q --locked -p finauth --test encryption_reference
    run decrypt "$tmp/finauth" ;;
  --write)
    run encrypt "$tmp/vectors"
    rm -rf "$dir/vectors"
    mv "$tmp/vectors" "$dir/vectors"
    echo "wrote $dir/vectors" >&2 ;;
esac
