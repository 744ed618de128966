"""Payload encryption through the Python binding: Mastercard's Java library's payloads decrypt,
every case round-trips, the header mode, the key formats, and damage as ``EncryptionError``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import finauth
from conftest import ROOT

KEYS = ROOT / "core" / "tests" / "encryption-keys"
REF = ROOT / "core" / "tests" / "encryption-reference"
CASES: list[dict[str, Any]] = json.loads((REF / "cases.json").read_text())


def cert() -> finauth.EncryptionCertificate:
    return finauth.load_encryption_certificate(KEYS / "client-encryption-cert.pem")


def key() -> finauth.DecryptionKey:
    return finauth.load_decryption_key(KEYS / "client-encryption-key.p12", "keystorepassword")


def config(case: dict[str, Any]) -> finauth.PayloadEncryption:
    fle = case["scheme"] == "fle"
    extra: dict[str, Any] = {}
    if fle:
        extra = dict(
            field_encoding=case["fle"]["encoding"],
            oaep=case["fle"]["oaep"],
            header_mode=case["fle"]["headerMode"],
        )
    return finauth.PayloadEncryption(
        case["scheme"],
        encryption_certificate=cert(),
        decryption_key=key(),
        encryption_paths=[tuple(p) for p in case["encryptionPaths"]],
        decryption_paths=[tuple(p) for p in case["decryptionPaths"]],
        encrypted_value_field_name=case.get("encryptedValueFieldName"),
        **extra,
    )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_java_librarys_payloads_decrypt_and_every_case_round_trips(case: dict[str, Any]) -> None:
    enc = config(case)
    vector = json.loads((REF / "vectors" / f"{case['name']}.json").read_text())
    clear = enc.decrypt_response(json.dumps(vector["payload"]).encode(), vector["headers"])
    assert json.loads(clear) == case["payload"]
    body, headers = enc.encrypt_request(json.dumps(case["payload"]).encode())
    assert json.loads(body) != case["payload"]
    assert bool(headers) == bool(case.get("fle", {}).get("headerMode"))
    assert json.loads(enc.decrypt_response(body, {k.upper(): v for k, v in headers.items()})) == case["payload"]


def test_str_stays_str_bytes_stay_bytes_and_defaults_are_mastercards() -> None:
    enc = finauth.PayloadEncryption(encryption_certificate=cert(), decryption_key=key())
    assert enc.scheme == "jwe"
    text = enc.encrypt_payload('{"pan":"5123450000000008"}')
    assert isinstance(text, str) and list(json.loads(text)) == ["encryptedData"]
    assert json.loads(enc.decrypt_payload(text)) == {"pan": "5123450000000008"}
    raw = enc.encrypt_payload(b'{"a":1}')
    assert isinstance(raw, bytes)
    assert enc.decrypt_payload(raw) == b'{"a":1}'
    assert enc.decrypt_payload('{"Errors":[]}') == '{"Errors":[]}'
    assert cert().key_fingerprint == key().key_fingerprint
    assert len(cert().certificate_fingerprint or "") == 64


def test_damage_is_an_encryption_error_and_bad_keys_are_signing_key_errors() -> None:
    enc = finauth.PayloadEncryption(encryption_certificate=cert(), decryption_key=key())
    token = json.loads(enc.encrypt_payload('{"a":1}'))["encryptedData"]
    header, wrapped, iv, ct, tag = token.split(".")
    for damaged in (f"{header}.{wrapped}.{iv}.{ct}.{tag[:-2]}AA", f"{header}.{wrapped[:-4]}AAAA.{iv}.{ct}.{tag}", "a.b"):
        with pytest.raises(finauth.EncryptionError) as e:
            enc.decrypt_payload(json.dumps({"encryptedData": damaged}))
        assert e.value.kind == "ENCRYPTION"
    with pytest.raises(finauth.EncryptionError):
        enc.decrypt_payload("not json")
    with pytest.raises(finauth.SigningKeyError, match="wrong password"):
        finauth.load_decryption_key(KEYS / "client-encryption-key.p12", "nope")
    with pytest.raises(finauth.SigningKeyError):
        finauth.load_encryption_certificate(b"not a certificate")
    legacy = finauth.load_decryption_key(KEYS / "client-encryption-key-legacy.p12", "keystorepassword", "mc-encryption")
    sha1 = finauth.load_encryption_certificate((KEYS / "client-encryption-cert-sha1.pem").read_text())
    assert legacy.key_fingerprint == sha1.key_fingerprint
    assert "BEGIN" not in repr(key()) and "redacted" in repr(key())


def test_options_are_checked_where_they_are_given() -> None:
    with pytest.raises(finauth.ConfigError):
        finauth.PayloadEncryption("jwe", encryption_certificate=cert(), field_encoding="hex")
    with pytest.raises(finauth.ConfigError):
        finauth.PayloadEncryption("xml", encryption_certificate=cert())
    with pytest.raises(finauth.ConfigError):
        finauth.PayloadEncryption(encryption_certificate=cert(), encryption_paths={"$.a[*]": "$.b"})
    with pytest.raises(finauth.ConfigError):
        finauth.PayloadEncryption()
    fle = finauth.PayloadEncryption(
        "fle", encryption_certificate=cert(), decryption_key=key(), field_names={"iv": "initVector"}
    )
    out = json.loads(fle.encrypt_payload('{"a":1}'))
    assert "initVector" in out and "iv" not in out
    assert json.loads(fle.decrypt_payload(json.dumps(out))) == {"a": 1}


def test_mastercards_published_vectors_decrypt_in_python() -> None:
    base = REF / "mastercard-vectors"
    vectors = json.loads((base / "vectors.json").read_text())
    mc_key = finauth.load_decryption_key(base / "test_key_pkcs8-2048.der")
    tokens = [v for v in vectors if v["kind"] == "jwe-token"]
    assert len(tokens) >= 8
    enc = finauth.PayloadEncryption(decryption_key=mc_key)
    for v in tokens:
        got = json.loads(enc.decrypt_payload(json.dumps({"encryptedData": v["token"]})))
        try:
            expected = json.loads(v["expected"])
        except ValueError:
            expected = v["expected"]
        assert got == expected, v["test"]


def test_keys_load_from_bytes_text_and_paths(tmp_path: Path) -> None:
    pem = (KEYS / "client-encryption-key.pem").read_text()
    assert finauth.load_decryption_key(pem).bits == 2048
    assert finauth.load_decryption_key((KEYS / "client-encryption-key.der").read_bytes()).bits == 2048
    assert finauth.load_encryption_certificate((KEYS / "client-encryption-cert.der").read_bytes()).bits == 2048
