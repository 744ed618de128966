"""OAuth 2.0 client credentials through the Python binding, against the sandbox process: herds
on threads and asyncio, every client authentication method, DPoP with nonces, the 401 retries,
the lockout guard, and an independent check of assertions and DPoP proofs with PyJWT."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
import requests

import finauth
from conftest import ROOT, Sandbox
from finauth.httpx import ClientCredentialsAuth as HttpxAuth
from finauth.requests import ClientCredentialsAuth as RequestsAuth

CLIENT_ID = "finauth-demo-client"
CLIENT_SECRET = "demo-client-secret"
APP_KEY = "demo-app-key"
KEYS = ROOT / "core" / "tests" / "oauth1-keys"


def ec_key() -> finauth.SigningKey:
    return finauth.load_pem(KEYS / "ec.pem")


def rsa_key() -> finauth.SigningKey:
    return finauth.load_pem(KEYS / "pkcs8.pem")


def token_url(sb: Sandbox) -> str:
    return sb.url + "/oauth2/token"


def resource_url(sb: Sandbox, path: str = "/accounts") -> str:
    return sb.url + "/oauth2/resource" + path


def oauth2_stats(sb: Sandbox, client_id: str = CLIENT_ID) -> dict[str, Any]:
    stats: dict[str, Any] = sb.admin("GET", "/__admin/stats")["oauth2"].get(client_id, {})
    return stats


def register_key(sb: Sandbox, client_id: str, key: finauth.SigningKey) -> None:
    sb.admin("POST", "/__admin/oauth2/clients", {"client_id": client_id, "jwk": json.loads(key.public_jwk())})


def secret_client(sb: Sandbox, **kw: Any) -> finauth.ClientCredentials:
    args: dict[str, Any] = dict(
        token_url=token_url(sb),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        allow_insecure_loopback=True,
        timeout=10,
    )
    args.update(kw)
    return finauth.ClientCredentials(**args)


def jwt_client(sb: Sandbox, client_id: str, key: finauth.SigningKey, **kw: Any) -> finauth.ClientCredentials:
    register_key(sb, client_id, key)
    return finauth.ClientCredentials(
        token_url=token_url(sb),
        client_id=client_id,
        auth_method="private_key_jwt",
        signing_key=key,
        key_id="k1",
        allow_insecure_loopback=True,
        timeout=10,
        **kw,
    )


def test_1000_threads_on_a_cold_cache_make_one_token_request(sandbox: Sandbox) -> None:
    sandbox.set_latency(200)
    cc = secret_client(sandbox)
    barrier = threading.Barrier(1000)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            barrier.wait()
            tokens.append(cc.token())
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=call) for _ in range(1000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(tokens) == 1000 and len(set(tokens)) == 1
    assert oauth2_stats(sandbox)["token_requests"] == 1


def test_1000_asyncio_tasks_on_a_cold_cache_make_one_token_request(sandbox: Sandbox) -> None:
    sandbox.set_latency(200)
    cc = secret_client(sandbox).as_async()

    async def main() -> list[str]:
        return await asyncio.gather(*(cc.token() for _ in range(1000)))

    tokens = asyncio.run(main())
    assert len(tokens) == 1000 and len(set(tokens)) == 1
    assert oauth2_stats(sandbox)["token_requests"] == 1


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post", "finicity_json"])
def test_secret_methods_with_requests(sandbox: Sandbox, method: str) -> None:
    cc = secret_client(sandbox, auth_method=method, app_key=APP_KEY)
    r = requests.get(resource_url(sandbox), auth=RequestsAuth(cc), timeout=10)
    assert r.status_code == 200 and r.json()["ok"] is True
    assert oauth2_stats(sandbox)["by_method"] == {method: 1}
    assert cc.token_type == "Bearer"


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_private_key_jwt_with_dpop_through_httpx(sandbox: Sandbox, kind: str) -> None:
    key = rsa_key() if kind == "rsa" else ec_key()
    cc = jwt_client(sandbox, f"py-{kind}", key, dpop=True)
    assert cc.token_type == "DPoP"
    with httpx.Client(auth=HttpxAuth(cc)) as client:
        for _ in range(2):
            assert client.get(resource_url(sandbox)).status_code == 200
    s = oauth2_stats(sandbox, f"py-{kind}")
    assert (s["tokens_issued"], s["resource_ok"], s["by_method"]) == (1, 2, {"private_key_jwt": 1})


def test_async_httpx_with_dpop(sandbox: Sandbox) -> None:
    cc = jwt_client(sandbox, "py-async", ec_key(), dpop=True).as_async()

    async def main() -> list[int]:
        async with httpx.AsyncClient(auth=HttpxAuth(cc)) as client:
            rs = await asyncio.gather(*(client.get(resource_url(sandbox)) for _ in range(20)))
            return [r.status_code for r in rs]

    assert asyncio.run(main()) == [200] * 20
    assert oauth2_stats(sandbox, "py-async")["tokens_issued"] == 1


def test_an_issuer_is_discovered_once_sync_and_async(sandbox: Sandbox) -> None:
    register_key(sandbox, "py-disc", ec_key())
    issuer = sandbox.url + "/oauth2"
    cc = finauth.ClientCredentials(
        issuer=issuer,
        client_id="py-disc",
        auth_method="private_key_jwt",
        signing_key=ec_key(),
        dpop=True,
        allow_insecure_loopback=True,
        timeout=10,
    )
    assert cc.issuer == issuer and f"issuer='{issuer}'" in repr(cc).replace('"', "'")
    acc = cc.as_async()

    async def main() -> list[str]:
        return await asyncio.gather(*(acc.discover() for _ in range(20)))

    assert set(asyncio.run(main())) == {token_url(sandbox)}
    assert cc.discover() == token_url(sandbox) == cc.token_url
    # With an issuer the assertion's default audience is the issuer, which the sandbox accepts.
    with httpx.Client(auth=HttpxAuth(cc)) as client:
        assert client.get(resource_url(sandbox)).status_code == 200
    endpoints = sandbox.admin("GET", "/__admin/stats")["endpoints"]
    assert endpoints.get("GET /.well-known/oauth-authorization-server/oauth2") == 1

    nowhere = finauth.ClientCredentials(
        issuer=sandbox.url + "/elsewhere", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, allow_insecure_loopback=True
    )
    with pytest.raises(finauth.ConfigError, match="no metadata"):
        nowhere.token()
    with pytest.raises(finauth.ConfigError):
        secret_client(sandbox, issuer=issuer)
    with pytest.raises(finauth.ConfigError):
        finauth.ClientCredentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


def test_a_nonce_challenge_costs_exactly_one_retry(sandbox: Sandbox) -> None:
    sandbox.admin("POST", "/__admin/oauth2/config", {"require_nonce": True})
    cc = jwt_client(sandbox, "py-nonce", ec_key(), dpop=True)
    cc.token()
    s = oauth2_stats(sandbox, "py-nonce")
    assert (s["token_requests"], s["nonce_challenges"], s["tokens_issued"]) == (2, 1, 1)
    session = requests.Session()
    session.auth = RequestsAuth(cc)
    assert session.get(resource_url(sandbox)).status_code == 200
    assert oauth2_stats(sandbox, "py-nonce")["resource_nonce_challenges"] == 1
    sandbox.admin("POST", "/__admin/oauth2/rotate-nonces")
    assert session.get(resource_url(sandbox)).status_code == 200
    s = oauth2_stats(sandbox, "py-nonce")
    assert (s["resource_nonce_challenges"], s["resource_ok"], s["token_requests"]) == (2, 2, 2)


@pytest.mark.parametrize("integration", ["requests", "httpx"])
def test_an_expired_token_is_invalidated_and_refreshed_once(sandbox: Sandbox, integration: str) -> None:
    cc = secret_client(sandbox)
    old = cc.token()
    sandbox.admin("POST", "/__admin/oauth2/expire-tokens", {"client_id": CLIENT_ID})
    if integration == "requests":
        r = requests.get(resource_url(sandbox), auth=RequestsAuth(cc), timeout=10)
        assert r.status_code == 200 and len(r.history) == 1
    else:
        assert httpx.get(resource_url(sandbox), auth=HttpxAuth(cc)).status_code == 200
    assert cc.token() != old
    assert oauth2_stats(sandbox)["tokens_issued"] == 2


def test_a_wrong_secret_hammered_by_50_threads_stays_under_the_guard(sandbox: Sandbox) -> None:
    wrong = "wrong-client-secret-xyz"
    cc = secret_client(sandbox, client_secret=wrong, max_failed_attempts=3)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            cc.token()
        except finauth.FinauthError as e:
            errors.append(e)

    threads = [threading.Thread(target=call) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 50
    first = next(e for e in errors if isinstance(e, finauth.InvalidCredentialsError))
    assert first.error == "invalid_client" and first.correlation_id
    assert oauth2_stats(sandbox)["invalid_client"] <= 3
    with pytest.raises(finauth.LockoutGuardError):
        cc.token()
    for e in errors:
        assert wrong not in str(e) and wrong not in repr(e)
    assert wrong not in repr(cc)


def test_rfc_errors_are_attributes(sandbox: Sandbox) -> None:
    sandbox.admin("POST", "/__admin/oauth2/clients", {"client_id": "scoped", "client_secret": "scoped-s", "scopes": ["read"]})
    cc = secret_client(sandbox, client_id="scoped", client_secret="scoped-s", scope="read write")
    with pytest.raises(finauth.ServerError) as info:
        cc.token()
    assert info.value.error == "invalid_scope" and info.value.status == 400
    assert "write" in (info.value.error_description or "")


def test_without_expires_in_the_default_lifetime_is_used(sandbox: Sandbox) -> None:
    sandbox.admin("POST", "/__admin/oauth2/config", {"expires_in": None})
    # 75 % of 1.2 s: refreshed after about 0.9 s.
    cc = secret_client(sandbox, default_lifetime=1.2)
    first = cc.token()
    assert cc.token() == first
    time.sleep(1.0)
    assert cc.token() != first
    assert oauth2_stats(sandbox)["tokens_issued"] == 2


# ---- independent JOSE checks (PyJWT) ----------------------------------------------------------


class Recorder:
    """A token endpoint of our own that records what it is sent."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, list[str]]]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                recorder.requests.append(({k.lower(): v for k, v in self.headers.items()}, parse_qs(body.decode())))
                answer = json.dumps({"access_token": "tok-123", "token_type": "DPoP", "expires_in": 60}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    r = Recorder()
    yield r
    r.server.shutdown()


def public_pem(path: Path) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(path.read_bytes(), password=None).public_key()


@pytest.mark.parametrize("kind,alg", [("ec", "ES256"), ("rsa", "PS256")])
def test_assertion_and_dpop_proofs_verify_with_pyjwt(recorder: Recorder, kind: str, alg: str) -> None:
    path = KEYS / ("ec.pem" if kind == "ec" else "pkcs8.pem")
    cc = finauth.ClientCredentials(
        token_url=recorder.url + "/oauth2/token",
        client_id="indep",
        auth_method="private_key_jwt",
        signing_key=finauth.load_pem(path),
        key_id="kid-7",
        dpop=True,
        allow_insecure_loopback=True,
    )
    assert cc.token() == "tok-123"
    headers, form = recorder.requests[0]
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    assertion = form["client_assertion"][0]
    assert jwt.get_unverified_header(assertion)["kid"] == "kid-7"
    claims = jwt.decode(assertion, public_pem(path), algorithms=[alg], audience=recorder.url + "/oauth2/token")
    assert claims["iss"] == claims["sub"] == "indep"
    assert 80 <= claims["exp"] - claims["iat"] <= 100 and claims["nbf"] <= time.time() + 1
    assert claims["jti"]

    def check_proof(proof: str, htm: str, htu: str, token: Any = None) -> dict[str, Any]:
        header = jwt.get_unverified_header(proof)
        assert header["typ"] == "dpop+jwt" and header["alg"] == alg and "d" not in header["jwk"]
        key = jwt.PyJWK(header["jwk"], algorithm=alg)
        c: dict[str, Any] = jwt.decode(proof, key.key, algorithms=[alg])
        assert c["htm"] == htm and c["htu"] == htu and abs(c["iat"] - time.time()) < 30 and c["jti"]
        if token is not None:
            ath = base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()
            assert c["ath"] == ath
        return c

    check_proof(headers["dpop"], "POST", recorder.url + "/oauth2/token")
    h = cc.headers("PUT", "https://api.example.com/x/y?q=1#frag")
    assert h["Authorization"] == "DPoP tok-123"
    c1 = check_proof(h["DPoP"], "PUT", "https://api.example.com/x/y", token="tok-123")
    c2 = check_proof(cc.headers("PUT", "https://api.example.com/x/y")["DPoP"], "PUT", "https://api.example.com/x/y")
    assert c1["jti"] != c2["jti"]
