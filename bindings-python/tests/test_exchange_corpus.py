"""The request-policy conformance corpus (core/tests/exchange-corpus) through every Python
integration: requests, httpx sync and httpx async. Each case scripts the sandbox's answers, makes
its requests through the real HTTP library, then checks what the sandbox received (how many
requests, which token each carried, which DPoP nonce), the outcome, the token requests, and
whether every caller is stopped afterwards."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any, Optional, Union

import httpx
import pytest
import requests
from conftest import APP_KEY, ROOT, Sandbox, make_auth

import finauth
import finauth.httpx
import finauth.requests

CORPUS = sorted((ROOT / "core" / "tests" / "exchange-corpus").glob("*.json"))
CASES = [json.loads(p.read_text()) for p in CORPUS]
INTEGRATIONS = ["requests", "httpx-sync", "httpx-async"]
KEY = ROOT / "core" / "tests" / "oauth1-keys" / "ec.pem"

Auth = Union[finauth.PartnerAuth, finauth.ClientCredentials]


def test_the_corpus_is_there() -> None:
    assert len(CASES) >= 20


def make(sb: Sandbox, kind: str) -> Auth:
    if kind == "finicity":
        return make_auth(sb)
    extra: dict[str, Any] = {}
    if kind == "oauth2-dpop":
        extra = dict(signing_key=finauth.load_pem(str(KEY)), dpop=True)
    return finauth.ClientCredentials(
        token_url=sb.url + "/oauth2/token",
        client_id="finauth-demo-client",
        client_secret="demo-client-secret",
        allow_insecure_loopback=True,
        timeout=10,
        **extra,
    )


def path_of(kind: str) -> str:
    return "/aggregation/v1/customers" if kind == "finicity" else "/oauth2/resource/accounts"


def token_requests(sb: Sandbox, kind: str) -> int:
    stats = sb.admin("GET", "/__admin/stats")
    if kind == "finicity":
        return int(stats["partners"]["finauth-demo-partner"]["auth_requests"])
    return int(stats.get("oauth2", {}).get("finauth-demo-client", {}).get("token_requests", 0))


def send(integration: str, auth: Auth, method: str, url: str, body: Optional[str]) -> int:
    """One logical request through the integration; the final status."""
    data = body.encode() if body is not None else None
    if integration == "requests":
        rauth: requests.auth.AuthBase = (
            finauth.requests.FinicityAuth(auth)
            if isinstance(auth, finauth.PartnerAuth)
            else finauth.requests.ClientCredentialsAuth(auth)
        )
        with requests.Session() as session:
            return session.request(method, url, data=data, auth=rauth, timeout=10).status_code
    hauth: httpx.Auth = (
        finauth.httpx.FinicityAuth(auth)
        if isinstance(auth, finauth.PartnerAuth)
        else finauth.httpx.ClientCredentialsAuth(auth)
    )
    if integration == "httpx-sync":
        with httpx.Client(auth=hauth, timeout=10) as client:
            return client.request(method, url, content=data).status_code

    async def go() -> int:
        async with httpx.AsyncClient(auth=hauth, timeout=10) as client:
            return (await client.request(method, url, content=data)).status_code

    return asyncio.run(go())


def token_of(headers: dict[str, str]) -> str:
    if "finicity-app-token" in headers:
        assert headers.get("finicity-app-key") == APP_KEY
        return headers["finicity-app-token"]
    return headers["authorization"].split(" ", 1)[1]


def nonce_of(headers: dict[str, str]) -> Optional[str]:
    payload = headers["dpop"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    nonce: Optional[str] = claims.get("nonce")
    return nonce


@pytest.mark.parametrize("integration", INTEGRATIONS)
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_corpus_case(case: dict[str, Any], integration: str) -> None:
    sb = Sandbox()
    try:
        kind, expect = case["auth"], case["expect"]
        auth = make(sb, kind)
        sb.script(path_of(kind), case["answers"])
        outcome: dict[str, Any] = {}
        for _ in range(case.get("requests", 1)):
            try:
                outcome = {"status": send(integration, auth, case.get("method", "GET"), sb.url + path_of(kind), case.get("body"))}
            except finauth.FinauthError as e:
                outcome = {"error": e.kind}
        assert outcome == expect["result"]

        received = sb.script_report()["received"]
        assert len(received) == expect["sent"]
        seen: dict[str, str] = {}
        for i, (r, label) in enumerate(zip(received, expect["tokens"])):
            token = token_of(r["headers"])
            if label in seen:
                assert seen[label] == token, f"request {i}: token {label}"
            else:
                assert token not in seen.values(), f"request {i} reused a token"
                seen[label] = token
        for i, (r, want) in enumerate(zip(received, expect.get("nonces") or [])):
            if want is not None:
                assert nonce_of(r["headers"]) == want, f"request {i} nonce"
        if expect.get("same_bodies"):
            assert received[0]["body"] and all(r["body"] == received[0]["body"] for r in received)
        assert token_requests(sb, kind) == expect["token_requests"]

        before = token_requests(sb, kind)
        if expect["locked_after"]:
            with pytest.raises(finauth.AccountLockedError):
                auth.token()
            assert token_requests(sb, kind) == before, "stopped without a request"
        else:
            auth.token()
    finally:
        sb.stop()
