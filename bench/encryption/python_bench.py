"""Mastercard payload encryption in Python: finauth (``finauth.PayloadEncryption``) against
Mastercard's official ``client_encryption`` library, the same payloads, the same operations, one
process. Prints figures, asserts nothing about timings (it does check that every decryption gives
the payload back, so that both libraries are measured doing the real work).

Operations (both libraries, ``str`` in and ``str`` out: the body as it travels):

* ``jwe_encrypt_1k`` / ``jwe_encrypt_1m``: the whole payload encrypted at ``$ -> $`` into
  ``{"encryptedData": "<compact JWE>"}`` (RSA-OAEP-256 key wrap with the 2048-bit test
  certificate, A256GCM, a fresh key per call);
* ``jwe_decrypt_1k`` / ``jwe_decrypt_1m``: that body decrypted at ``$.encryptedData -> $``;
* ``fle_decrypt_1k``: the field-level scheme (HEX, OAEP SHA-256, AES-128-CBC) decrypted at
  ``$.encryptedData -> $.data``, the payload having been encrypted at ``$.data -> $.encryptedData``.

The ciphertexts decrypted are made once, before measuring, by the official library (its
native format, 16-byte JWE IV), and both libraries decrypt the same text. The official library
returns a ``dict``; its ``str`` figure includes the ``json.dumps`` of that ``dict`` (a caller
sending or storing the body needs it), and its ``dict``-out figure is printed too as
``official-dict``.

Output lines: ``RESULT python <lib> <op> <microseconds per op, median of rounds> <ops/s>``.
Environment: ``FINAUTH_BENCH_SECONDS`` (per round, default 1.0), ``FINAUTH_BENCH_ROUNDS``
(default 5).
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
KEYS = ROOT / "core" / "tests" / "encryption-keys"
CERT = KEYS / "client-encryption-cert.pem"
KEY_PEM = KEYS / "client-encryption-key.pem"
KEY_P12 = KEYS / "client-encryption-key.p12"
SECONDS = float(os.environ.get("FINAUTH_BENCH_SECONDS", "1.0"))
ROUNDS = int(os.environ.get("FINAUTH_BENCH_ROUNDS", "5"))


def payload(size: int) -> str:
    """``{"data":{"items":[...],"pad":"x..."}}`` of exactly ``size`` bytes, the rule of
    ``bench/benches/encryption.rs`` (compact, ASCII, whole items, then ``pad``)."""
    head, tail_open, tail_close = '{"data":{"items":[', '],"pad":"', '"}}'
    fixed = len(head) + len(tail_open) + len(tail_close)
    parts: list[str] = []
    length = 0
    i = 0
    while True:
        item = (
            f'{{"id":{i},"card":"5123450000{i:06d}","merchant":"Merchant {i}",'
            f'"amount":"{(i * 37) % 1000}.{i % 100:02d}"}}'
        )
        sep = 1 if i > 0 else 0
        if fixed + length + sep + len(item) > size:
            break
        parts.append(item)
        length += sep + len(item)
        i += 1
    items = ",".join(parts)
    out = head + items + tail_open + "x" * (size - fixed - len(items)) + tail_close
    assert len(out) == size
    return out


def measure(fn: Callable[[], Any]) -> float:
    """Seconds per call: the median over ``ROUNDS`` rounds of ``SECONDS`` each (after a warm-up)."""
    deadline = time.perf_counter() + min(0.3, SECONDS)
    while time.perf_counter() < deadline:
        fn()
    per_round = []
    for _ in range(ROUNDS):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= SECONDS:
                break
        per_round.append(elapsed / n)
    return statistics.median(per_round)


def report(lib: str, op: str, fn: Callable[[], Any]) -> None:
    s = measure(fn)
    print(f"RESULT python {lib} {op} {s * 1e6:.1f} {1 / s:.1f}", flush=True)


def main() -> None:
    import finauth
    from client_encryption import field_level_encryption as mc_fle
    from client_encryption import jwe_encryption as mc_jwe
    from client_encryption.field_level_encryption_config import FieldLevelEncryptionConfig
    from client_encryption.jwe_encryption_config import JweEncryptionConfig
    from importlib.metadata import version

    print(
        f"NOTE python {sys.version.split()[0]}, finauth {version('finauth')} ({finauth.__file__}), "
        f"mastercard-client-encryption {version('mastercard-client-encryption')}",
        flush=True,
    )
    texts = {"1k": payload(1024), "1m": payload(1024 * 1024)}
    for name, text in texts.items():
        print(f"NOTE payload-{name} {len(text)} bytes sha256 {hashlib.sha256(text.encode()).hexdigest()}")
    expected = {name: json.loads(text) for name, text in texts.items()}

    # finauth: the key as the PKCS#12 keystore (what the official library is given is the PEM
    # key: it loads either; loading is not measured).
    cert = finauth.load_encryption_certificate(CERT)
    key = finauth.load_decryption_key(KEY_P12, "keystorepassword")
    fa_jwe = finauth.PayloadEncryption(
        "jwe",
        encryption_certificate=cert,
        decryption_key=key,
        encryption_paths={"$": "$"},
        decryption_paths={"$.encryptedData": "$"},
    )
    fa_fle = finauth.PayloadEncryption(
        "fle",
        encryption_certificate=cert,
        decryption_key=key,
        encryption_paths={"$.data": "$.encryptedData"},
        decryption_paths={"$.encryptedData": "$.data"},
        field_encoding="hex",
        oaep="SHA-256",
    )

    # The official library, configured as its README does for the same paths (its paths have no
    # `$.` prefix; `$` is the root).
    mc_jwe_config = JweEncryptionConfig(
        {
            "paths": {"$": {"toEncrypt": {"$": "$"}, "toDecrypt": {"encryptedData": "$"}}},
            "encryptedValueFieldName": "encryptedData",
            "encryptionCertificate": str(CERT),
            "decryptionKey": str(KEY_PEM),
        }
    )
    mc_fle_config = FieldLevelEncryptionConfig(
        {
            "paths": {"$": {"toEncrypt": {"data": "encryptedData"}, "toDecrypt": {"encryptedData": "data"}}},
            "ivFieldName": "iv",
            "encryptedKeyFieldName": "encryptedKey",
            "encryptedValueFieldName": "encryptedValue",
            "encryptionCertificateFingerprintFieldName": "encryptionCertificateFingerprint",
            "encryptionKeyFingerprintFieldName": "encryptionKeyFingerprint",
            "oaepPaddingDigestAlgorithmFieldName": "oaepHashingAlgorithm",
            "dataEncoding": "hex",
            "oaepPaddingDigestAlgorithm": "SHA256",
            "encryptionCertificate": str(CERT),
            "decryptionKey": str(KEY_PEM),
        }
    )

    # The ciphertexts to decrypt: the official library's own output, decrypted by both.
    jwe_bodies = {n: json.dumps(mc_jwe.encrypt_payload(t, mc_jwe_config)) for n, t in texts.items()}
    fle_body = json.dumps(mc_fle.encrypt_payload(texts["1k"], mc_fle_config))
    for n, body in jwe_bodies.items():
        if json.loads(fa_jwe.decrypt_payload(body)) != expected[n]:
            raise SystemExit(f"finauth did not decrypt the official JWE body {n}")
        if mc_jwe.decrypt_payload(body, mc_jwe_config) != expected[n]:
            raise SystemExit(f"the official library did not decrypt its JWE body {n}")
        # And the other way: the official library reads finauth's tokens (12-byte IV).
        if mc_jwe.decrypt_payload(fa_jwe.encrypt_payload(texts[n]), mc_jwe_config) != expected[n]:
            raise SystemExit(f"the official library did not decrypt finauth's JWE body {n}")
    if json.loads(fa_fle.decrypt_payload(fle_body)) != expected["1k"]:
        raise SystemExit("finauth did not decrypt the official field-level body")
    if mc_fle.decrypt_payload(fle_body, mc_fle_config) != expected["1k"]:
        raise SystemExit("the official library did not decrypt its field-level body")
    if mc_fle.decrypt_payload(fa_fle.encrypt_payload(texts["1k"]), mc_fle_config) != expected["1k"]:
        raise SystemExit("the official library did not decrypt finauth's field-level body")

    dumps = json.dumps
    for n in ("1k", "1m"):
        t = texts[n]
        report("finauth", f"jwe_encrypt_{n}", lambda t=t: fa_jwe.encrypt_payload(t))
        report("official", f"jwe_encrypt_{n}", lambda t=t: dumps(mc_jwe.encrypt_payload(t, mc_jwe_config)))
        report("official-dict", f"jwe_encrypt_{n}", lambda t=t: mc_jwe.encrypt_payload(t, mc_jwe_config))
    for n in ("1k", "1m"):
        b = jwe_bodies[n]
        report("finauth", f"jwe_decrypt_{n}", lambda b=b: fa_jwe.decrypt_payload(b))
        report("official", f"jwe_decrypt_{n}", lambda b=b: dumps(mc_jwe.decrypt_payload(b, mc_jwe_config)))
        report("official-dict", f"jwe_decrypt_{n}", lambda b=b: mc_jwe.decrypt_payload(b, mc_jwe_config))
    report("finauth", "fle_decrypt_1k", lambda: fa_fle.decrypt_payload(fle_body))
    report("official", "fle_decrypt_1k", lambda: dumps(mc_fle.decrypt_payload(fle_body, mc_fle_config)))
    report("official-dict", "fle_decrypt_1k", lambda: mc_fle.decrypt_payload(fle_body, mc_fle_config))


if __name__ == "__main__":
    main()
