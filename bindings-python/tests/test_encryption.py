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


class _EncryptedEcho:
    """A loopback server that checks what a Mastercard API checks of an encrypted, signed call
    (the body hash in ``Authorization`` is that of the bytes received; the body decrypts) and
    answers a payload encrypted to the client's key."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        server_side = finauth.PayloadEncryption(
            encryption_certificate=cert(), decryption_key=key(), encryption_paths={"$": "$"}
        )
        seen: list[dict[str, Any]] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                import base64
                import hashlib
                import re

                raw = self.rfile.read(int(self.headers["Content-Length"]))
                auth = self.headers.get("Authorization", "")
                m = re.search(r'oauth_body_hash="([^"]+)"', auth)
                clear = json.loads(server_side.decrypt_payload(raw))
                seen.append(
                    {
                        "hash_ok": bool(m) and m.group(1) == base64.b64encode(hashlib.sha256(raw).digest()).decode(),
                        "encrypted": b"5123450000000008" not in raw,
                        "clear": clear,
                    }
                )
                answer = server_side.encrypt_payload(json.dumps({"echo": clear, "status": "ok"}).encode())
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.seen = seen
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/payments?x=1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _mastercard_auth_parts() -> tuple[finauth.OAuth1Signer, finauth.PayloadEncryption]:
    signer = finauth.OAuth1Signer("consumer-key", finauth.load_pem(ROOT / "core" / "tests" / "oauth1-keys" / "pkcs8.pem"))
    enc = finauth.PayloadEncryption(
        encryption_certificate=cert(), decryption_key=key(), decryption_paths={"$.encryptedData": "$"}
    )
    return signer, enc


def test_requests_and_httpx_encrypt_then_sign_and_decrypt_the_answer() -> None:
    import asyncio

    import httpx
    import requests

    from finauth.httpx import MastercardAuth as HttpxMastercard
    from finauth.requests import MastercardAuth as RequestsMastercard

    server = _EncryptedEcho()
    try:
        signer, enc = _mastercard_auth_parts()
        payload = {"card": {"pan": "5123450000000008"}, "amount": 10}
        r = requests.post(server.url, json=payload, auth=RequestsMastercard(signer=signer, encryption=enc), timeout=10)
        assert r.status_code == 200 and r.json() == {"echo": payload, "status": "ok"}
        with httpx.Client(auth=HttpxMastercard(signer=signer, encryption=enc)) as c:
            assert c.post(server.url, json=payload).json() == {"echo": payload, "status": "ok"}

        async def run() -> Any:
            async with httpx.AsyncClient(auth=HttpxMastercard(signer=signer, encryption=enc)) as c:
                return (await c.post(server.url, json=payload)).json()

        assert asyncio.run(run()) == {"echo": payload, "status": "ok"}
        assert len(server.seen) == 3
        assert all(s["hash_ok"] and s["encrypted"] and s["clear"] == payload for s in server.seen)
        with pytest.raises(finauth.ConfigError):
            finauth.MastercardAuth()
    finally:
        server.close()
