#!/usr/bin/env bash
# Regenerates the TEST-ONLY keys of this folder with openssl 3 (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pkcs8.pem 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in pkcs8.pem -outform DER -out pkcs8.der
openssl pkey -in pkcs8.pem -pubout -out public.pem
openssl rsa -in pkcs8.pem -traditional -out pkcs1.pem 2>/dev/null
openssl rsa -in pkcs8.pem -traditional -outform DER -out pkcs1.der 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc -in pkcs8.pem -passout pass:test-password -out encrypted.pem
openssl pkcs8 -topk8 -v2 aes-256-cbc -in pkcs8.pem -passout pass:test-password -outform DER -out encrypted.der
openssl req -x509 -new -key pkcs8.pem -subj "/CN=finauth test signing key" -days 36500 -out cert.pem 2>/dev/null
openssl pkcs12 -export -in cert.pem -inkey pkcs8.pem -name signing-key -passout pass:keystorepassword -out modern.p12
openssl pkcs12 -export -legacy -in cert.pem -inkey pkcs8.pem -name signing-key -passout pass:keystorepassword -out legacy.p12
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
openssl req -x509 -new -key ec.pem -subj "/CN=finauth test ec key" -days 36500 -out ec-cert.pem 2>/dev/null
openssl pkcs12 -export -in ec-cert.pem -inkey ec.pem -name ec-key -passout pass:keystorepassword -out ec.p12
rm -f ec-cert.pem
