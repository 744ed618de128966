"""requests and httpx: on a token the server expired, exactly one refresh and one resend."""

from __future__ import annotations

import asyncio
import pathlib

import httpx
import pytest
import requests
from conftest import APP_KEY, PARTNER_ID, Sandbox, make_async_auth, make_auth

import finauth
from finauth import _finauth
from finauth.httpx import FinicityAuth as HttpxAuth
from finauth.requests import FinicityAuth as RequestsAuth

PATH = "/aggregation/v1/customers"


@pytest.mark.parametrize("style", ["json_number", "errors_upper", "text", "xml"])
def test_observe_response_reads_every_error_style(style: str) -> None:
    """A real expired-token answer in each body shape Finicity sends is a rejected token."""
    sb = Sandbox("--error-style", style)
    try:
        auth = make_auth(sb)
        token = auth.token()
        sb.expire_tokens()
        resp = requests.get(
            sb.url + PATH, headers={"Finicity-App-Key": APP_KEY, "Finicity-App-Token": token}, timeout=10
        )
        assert resp.status_code == 401
        ct = resp.headers.get("Content-Type", "")
        assert auth.observe_response(resp.status_code, ct, resp.content) is True
        resp = requests.get(sb.url + PATH, headers={"Finicity-App-Key": APP_KEY}, timeout=10)
        assert auth.observe_response(resp.status_code, resp.headers.get("Content-Type", ""), resp.content) is False
    finally:
        sb.stop()
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


def _lock_partner_behind_finauths_back(sandbox: Sandbox) -> None:
    """Someone else's wrong secret locks the Partner ID at the server (threshold 1)."""
    sandbox.admin("POST", "/__admin/config", {"lockout_threshold": 1, "locked_status": 500})
    resp = requests.post(
        sandbox.url + "/aggregation/v2/partners/authentication",
        headers={"Finicity-App-Key": APP_KEY},
        json={"partnerId": PARTNER_ID, "partnerSecret": "NotTheSecret123"},
        timeout=10,
    )
    assert resp.status_code == 401


def _assert_everyone_stops(sandbox: Sandbox, *auths: finauth.PartnerAuth) -> None:
    before = sandbox.auth_requests()
    for a in auths:
        try:
            a.token()
        except finauth.AccountLockedError as e:
            assert e.code == 24302
        else:
            raise AssertionError("token() after a 24302 must raise AccountLocked")
    assert sandbox.auth_requests() == before, "no authentication once locked"


def test_requests_24302_raises_account_locked_for_every_caller(sandbox: Sandbox, tmp_path: pathlib.Path) -> None:
    store = finauth.FileStore(str(tmp_path))
    auth, twin = make_auth(sandbox, store=store), make_auth(sandbox, store=store)
    session = requests.Session()
    session.auth = RequestsAuth(auth)
    assert session.get(sandbox.url + PATH, timeout=10).status_code == 200
    _lock_partner_behind_finauths_back(sandbox)
    try:
        session.get(sandbox.url + PATH, timeout=10)
    except finauth.AccountLockedError as e:
        assert e.code == 24302
    else:
        raise AssertionError("a 24302 resource answer must raise AccountLocked")
    _assert_everyone_stops(sandbox, auth, twin)


def test_httpx_sync_and_async_24302_raise_account_locked(sandbox: Sandbox, tmp_path: pathlib.Path) -> None:
    store = finauth.FileStore(str(tmp_path))
    auth, twin = make_auth(sandbox, store=store), make_auth(sandbox, store=store)
    with httpx.Client(auth=HttpxAuth(auth)) as client:
        assert client.get(sandbox.url + PATH).status_code == 200
    _lock_partner_behind_finauths_back(sandbox)

    async def main() -> None:
        async with httpx.AsyncClient(auth=HttpxAuth(auth.as_async())) as client:
            await client.get(sandbox.url + PATH)

    try:
        asyncio.run(main())
    except finauth.AccountLockedError as e:
        assert e.code == 24302
    else:
        raise AssertionError("a 24302 resource answer must raise AccountLocked")
    with httpx.Client(auth=HttpxAuth(twin)) as client:
        try:
            client.get(sandbox.url + PATH)
        except finauth.AccountLockedError:
            pass
        else:
            raise AssertionError("the twin sharing the store must stop too")
    _assert_everyone_stops(sandbox, auth, twin)
