"""requests and httpx: on a token the server expired, exactly one refresh and one resend."""

from __future__ import annotations

import asyncio

import httpx
import requests
from conftest import APP_KEY, Sandbox, make_async_auth, make_auth

import finauth
from finauth import _finauth
from finauth.httpx import FinicityAuth as HttpxAuth
from finauth.requests import FinicityAuth as RequestsAuth

PATH = "/aggregation/v1/customers"


def test_rejects_token_reads_every_error_style() -> None:
    assert _finauth._rejects_token(401, "application/json", b'{"code":10022,"message":"x"}')
    assert _finauth._rejects_token(401, "application/json", b'{"code":"10023","message":"x"}')
    assert _finauth._rejects_token(401, "application/xml", b"<error><code>10023</code></error>")
    assert not _finauth._rejects_token(401, "application/json", b'{"code":10024}')
    assert not _finauth._rejects_token(200, "application/json", b'{"code":10022}')
    assert _finauth._finicity_code(400, "application/json", b'{"code":14020}') == 14020


def test_requests_refreshes_once_and_resends_once(sandbox: Sandbox) -> None:
    auth = make_auth(sandbox)
    session = requests.Session()
    session.auth = RequestsAuth(auth)
    first = session.get(sandbox.url + PATH, timeout=10)
    assert first.status_code == 200
    assert first.request.headers["Finicity-App-Key"] == APP_KEY
    sandbox.expire_tokens()
    resp = session.get(sandbox.url + PATH, timeout=10)
    assert resp.status_code == 200, resp.text
    assert len(resp.history) == 1 and resp.history[0].status_code == 401
    stats = sandbox.stats()
    assert stats["auth_requests"] == 2
    assert stats["resource_requests"] == 3 and stats["resource_rejected"] == 1
    assert auth.stats()["invalidations"] == 1
    assert "FinicityAuth(PartnerAuth(" in repr(session.auth)


def test_requests_does_not_retry_other_401s(sandbox: Sandbox) -> None:
    auth = make_auth(sandbox)
    resp = requests.get(sandbox.url + PATH, auth=RequestsAuth(auth), timeout=10)
    assert resp.status_code == 200
    auth.set_app_key("someone-elses-key")
    resp = requests.get(sandbox.url + PATH, auth=RequestsAuth(auth), timeout=10)
    assert resp.status_code == 401 and not resp.history
    assert sandbox.auth_requests() == 1


def test_httpx_sync_refreshes_once_and_resends_once(sandbox: Sandbox) -> None:
    auth = make_auth(sandbox)
    with httpx.Client(auth=HttpxAuth(auth)) as client:
        assert client.get(sandbox.url + PATH).status_code == 200
        sandbox.expire_tokens()
        resp = client.get(sandbox.url + PATH)
    assert resp.status_code == 200
    stats = sandbox.stats()
    assert stats["auth_requests"] == 2
    assert stats["resource_requests"] == 3 and stats["resource_rejected"] == 1


def test_httpx_async_refreshes_once_and_resends_once(sandbox: Sandbox) -> None:
    auth = make_async_auth(sandbox)

    async def main() -> list[int]:
        async with httpx.AsyncClient(auth=HttpxAuth(auth)) as client:
            assert (await client.get(sandbox.url + PATH)).status_code == 200
            sandbox.expire_tokens()
            # Ten concurrent calls see the expired token: still one refresh.
            resps = await asyncio.gather(*(client.get(sandbox.url + PATH) for _ in range(10)))
            return [r.status_code for r in resps]

    assert asyncio.run(main()) == [200] * 10
    stats = sandbox.stats()
    assert stats["auth_requests"] == 2
    assert stats["resource_requests"] == 21 and stats["resource_rejected"] == 10


def test_httpx_accepts_either_object(sandbox: Sandbox) -> None:
    sync = make_auth(sandbox)
    a = HttpxAuth(sync)
    b = HttpxAuth(sync.as_async())
    assert isinstance(a.async_auth, finauth.AsyncPartnerAuth)
    assert isinstance(b.sync_auth, finauth.PartnerAuth)
