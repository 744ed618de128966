"""Mastercard OAuth 1.0a from Python: the conformance corpus byte for byte (the expected values
were written by Mastercard's Java reference signer), every key format and its errors, redaction,
requests and httpx signing the exact bytes sent and accepted by the sandbox verifier, and the GIL
released while signing."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import requests
from conftest import ROOT, Sandbox

import finauth
from finauth.httpx import OAuth1Auth as HttpxOAuth1Auth
from finauth.requests import OAuth1Auth as RequestsOAuth1Auth

KEYS = ROOT / "core" / "tests" / "oauth1-keys"
REFERENCE = json.loads((ROOT / "core" / "tests" / "oauth1-reference" / "expected.json").read_text())
P12_PASSWORD = "keystorepassword"
PEM_PASSWORD = "test-password"
CK = "python-consumer-key"


def header_items(header: str) -> list[tuple[str, str]]:
    assert header.startswith("OAuth "), header
    items = []
    for item in header[len("OAuth ") :].split(","):
        name, _, value = item.partition("=")
        assert value.startswith('"') and value.endswith('"'), item
        items.append((name, value[1:-1]))
    return items


@pytest.fixture
def verifier() -> Iterator[Sandbox]:
    """A sandbox whose OAuth 1.0a verifier knows CK's public key."""
    sb = Sandbox("--oauth1-key", f"{CK}:{KEYS / 'public.pem'}")
    yield sb
    sb.stop()


def oauth1_stats(sb: Sandbox) -> dict[str, int]:
    stats: dict[str, int] = sb.admin("GET", "/__admin/stats")["oauth1"].get(CK, {})
    return stats


def signer(method: str = "RSA-SHA256") -> finauth.OAuth1Signer:
    return finauth.OAuth1Signer(CK, finauth.load_pem(KEYS / "pkcs8.pem"), method)


def test_every_corpus_case_matches_the_java_reference_byte_for_byte() -> None:
    key = finauth.load_pkcs12(KEYS / "modern.p12", P12_PASSWORD, "signing-key")
    s = finauth.OAuth1Signer(REFERENCE["consumer_key"], key)
    nonce, ts = REFERENCE["nonce"], REFERENCE["timestamp"]
    cases = REFERENCE["cases"]
    assert len(cases) >= 40
    failures = []
    for case in cases:
        m, uri, body = case["method"], case["uri"], case["body"]
        if s.signature_base_string(m, uri, body, nonce, ts) != case["base_string"]:
            failures.append(f"base string: {m} {uri}")
        items = header_items(s.authorization_header_with(m, uri, body.encode(), nonce, ts))
        if [name for name, _ in items] != REFERENCE["header_order"]:
            failures.append(f"header order: {m} {uri}")
        signature = dict(items)["oauth_signature"]
        if urllib.parse.unquote(signature) != case["signature"]:
            failures.append(f"signature: {m} {uri}")
    assert not failures, "\n".join(failures)


def test_every_key_format_gives_the_same_signature() -> None:
    loaded = [
        finauth.load_pkcs12(KEYS / "modern.p12", P12_PASSWORD, "signing-key"),
        finauth.load_pkcs12((KEYS / "legacy.p12").read_bytes(), P12_PASSWORD),
        finauth.load_pkcs12(str(KEYS / "legacy.p12"), P12_PASSWORD, "signing-key"),
        finauth.load_pem(KEYS / "pkcs8.pem"),
        finauth.load_pem((KEYS / "pkcs1.pem").read_text()),
        finauth.load_pem((KEYS / "pkcs8.pem").read_bytes()),
        finauth.load_pem(KEYS / "encrypted.pem", PEM_PASSWORD),
    ]
    headers = {
        finauth.OAuth1Signer("ck", k).authorization_header_with(
            "POST", "https://api.example.com/x?a=1", b'{"a":1}', "abcdefghijklmnop", 1700000000
        )
        for k in loaded
    }
    assert len(headers) == 1
    assert all(k.bits == 2048 for k in loaded)


@pytest.mark.parametrize(
    "load, needle",
    [
        (lambda: finauth.load_pkcs12(KEYS / "modern.p12", "wrong-secret-pw"), "password"),
        (lambda: finauth.load_pkcs12(KEYS / "modern.p12", P12_PASSWORD, "no-such-alias"), "alias"),
        (lambda: finauth.load_pkcs12(b"not a key store", "wrong-secret-pw"), ""),
        (lambda: finauth.OAuth1Signer("ck", finauth.load_pkcs12(KEYS / "ec.p12", P12_PASSWORD)), "RSA"),
        (lambda: finauth.load_pkcs12(KEYS / "missing.p12", "wrong-secret-pw"), "missing.p12"),
        (lambda: finauth.load_pem(KEYS / "encrypted.pem", "wrong-secret-pw"), ""),
        (lambda: finauth.load_pem(KEYS / "encrypted.pem"), "password"),
        (lambda: finauth.OAuth1Signer("ck", finauth.load_pem(KEYS / "ec.pem")), "RSA"),
        (lambda: finauth.load_pem(b"\xff\xfe not text"), "PEM"),
    ],
)
def test_key_errors_name_the_problem_and_never_the_password(load: Any, needle: str) -> None:
    with pytest.raises(finauth.SigningKeyError) as info:
        load()
    message = str(info.value)
    assert isinstance(info.value, finauth.FinauthError)
    assert needle in message, message
    assert len(message) > 10
    for secret in ("wrong-secret-pw", P12_PASSWORD, PEM_PASSWORD):
        assert secret not in message


def test_bad_arguments_are_config_or_type_errors() -> None:
    key = finauth.load_pem(KEYS / "pkcs8.pem")
    with pytest.raises(finauth.ConfigError):
        finauth.OAuth1Signer("", key)
    with pytest.raises(finauth.ConfigError):
        finauth.OAuth1Signer("ck", key, "HMAC-SHA1")
    with pytest.raises(TypeError):
        finauth.OAuth1Signer("ck", "not a key")  # type: ignore[arg-type]
    with pytest.raises(finauth.ConfigError):
        signer().authorization_header("GET", "not a uri")
    with pytest.raises(TypeError):
        finauth.load_pem(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        signer().authorization_header("POST", "https://api.example.com/", 42)  # type: ignore[arg-type]


def test_keys_and_signers_never_show_key_material() -> None:
    key = finauth.load_pkcs12(KEYS / "modern.p12", P12_PASSWORD)
    s = finauth.OAuth1Signer(CK, key, "RSA-PSS")
    texts = [repr(key), str(key), repr(s), str(s), repr(RequestsOAuth1Auth(s)), repr(HttpxOAuth1Auth(s))]
    pem_body = "".join((KEYS / "pkcs8.pem").read_text().splitlines()[1:3])
    for text in texts:
        assert "MII" not in text and pem_body[:40] not in text and P12_PASSWORD not in text, text
    assert repr(key) == "SigningKey(<RSA-2048 redacted>)"
    assert s.consumer_key == CK and s.method == "RSA-PSS"


def test_the_header_has_the_reference_shape_and_a_fresh_nonce_each_time() -> None:
    s = signer()
    first = dict(header_items(s.authorization_header("GET", "https://api.example.com/a?b=c")))
    second = dict(header_items(s.authorization_header("GET", "https://api.example.com/a?b=c", None)))
    assert first["oauth_nonce"] != second["oauth_nonce"]
    assert len(first["oauth_nonce"]) == 16 and first["oauth_nonce"].isalnum()
    assert abs(int(first["oauth_timestamp"]) - time.time()) < 60
    # No body: the hash of the empty string is still sent.
    assert first["oauth_body_hash"] == base64.b64encode(hashlib.sha256(b"").digest()).decode()
    body = "{\"amount\": \"10 €\"}"
    for as_given in (body, body.encode(), bytearray(body.encode()), memoryview(body.encode())):
        items = dict(header_items(s.authorization_header("POST", "https://api.example.com/", as_given)))
        assert items["oauth_body_hash"] == base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()


@pytest.mark.parametrize("method", ["RSA-SHA256", "RSA-PSS"])
def test_the_sandbox_verifier_accepts_requests_signed_with_requests(verifier: Sandbox, method: str) -> None:
    auth = RequestsOAuth1Auth(signer(method))
    url = f"{verifier.url}/oauth1/payments?Format=JSON&q=a%20b&amount=10"
    with requests.Session() as session:
        posted = session.post(url, json={"amount": 10, "note": "café"}, auth=auth, timeout=10)
        got = session.get(f"{verifier.url}/oauth1/atms?PageOffset=0&PageLength=10", auth=auth, timeout=10)
        put = session.put(f"{verifier.url}/oauth1/raw", data=b"\x00\x01binary", auth=auth, timeout=10)
    for resp in (posted, got, put):
        assert resp.status_code == 200, resp.text
        assert resp.json()["ok"] is True
    assert oauth1_stats(verifier) == {"accepted": 3, "rejected": 0}


def test_the_sandbox_verifier_rejects_a_tampered_body(verifier: Sandbox) -> None:
    url = f"{verifier.url}/oauth1/payments"
    header = signer().authorization_header("POST", url, b'{"amount":10}')
    resp = requests.post(url, data=b'{"amount":99}', headers={"Authorization": header}, timeout=10)
    assert resp.status_code == 401
    assert oauth1_stats(verifier)["rejected"] == 1


def test_the_sandbox_verifier_accepts_requests_signed_with_httpx_sync_and_async(verifier: Sandbox) -> None:
    auth = HttpxOAuth1Auth(signer())
    with httpx.Client(auth=auth) as client:
        a = client.post(f"{verifier.url}/oauth1/items?x=1", json={"b": [1, 2]})
        b = client.get(f"{verifier.url}/oauth1/items", params={"q": "a b", "z": "~"})

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(auth=auth) as client:
            return list(
                await asyncio.gather(
                    *(client.post(f"{verifier.url}/oauth1/async?i={i}", content=f"body {i}") for i in range(20))
                )
            )

    for resp in [a, b, *asyncio.run(run())]:
        assert resp.status_code == 200, resp.text
    assert oauth1_stats(verifier) == {"accepted": 22, "rejected": 0}


def test_signing_releases_the_gil() -> None:
    # Hashing a large body and signing run without the GIL: a pure-Python loop on this thread
    # keeps counting the whole time (a held GIL would allow almost none).
    s = signer()
    body = b"x" * (256 * 1024 * 1024)
    done = threading.Event()
    headers: list[str] = []

    def sign() -> None:
        headers.append(s.authorization_header("POST", "https://api.example.com/big", body))
        done.set()

    t = threading.Thread(target=sign)
    started = time.monotonic()
    t.start()
    counted = 0
    while not done.is_set():
        counted += 1
    t.join()
    elapsed = time.monotonic() - started
    assert headers and headers[0].startswith("OAuth ")
    # A free loop counts millions per second; a held GIL would leave only the moments around the call.
    assert counted > 200_000 * max(elapsed, 0.01), (counted, elapsed)


def test_many_threads_share_one_signer() -> None:
    s = signer()
    out: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        h = s.authorization_header("GET", f"https://api.example.com/t?i={i}")
        with lock:
            out.append(dict(header_items(h))["oauth_nonce"])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 32


def test_keys_load_from_pathlike_and_str_paths() -> None:
    assert finauth.load_pem(Path(KEYS / "pkcs1.pem")).bits == 2048
    assert finauth.load_pem(str(KEYS / "pkcs1.pem")).bits == 2048
