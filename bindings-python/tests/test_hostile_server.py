"""A hostile server: a token that would become a second header is refused by core before Python
sees it (token(), headers(), requests, httpx, the store), and nothing that was sent comes back in
an error message, wherever the server puts it."""

from __future__ import annotations

import asyncio
import json
import pathlib

import httpx
import pytest
import requests
from conftest import Sandbox, make_async_auth, make_auth

import finauth
from finauth.httpx import FinicityAuth as HttpxAuth
from finauth.requests import FinicityAuth as RequestsAuth

PATH = "/aggregation/v1/customers"
BAD = {"CR": "\r", "LF": "\n", "CRLF": "\r\n", "NUL": "\0", "ESC": "\x1b", "DEL": "\x7f"}


def hostile(bad: str) -> str:
    return f"abc{bad}X-Injected: 1"


def answer(bad: str, shape: str) -> dict[str, object]:
    if shape == "json":
        return {"status": 200, "content_type": "application/json", "body": json.dumps({"token": hostile(bad)})}
    return {
        "status": 200,
        "content_type": "application/xml",
        "body": f"<access><token>{hostile(bad)}</token></access>",
    }


def stored_text(directory: pathlib.Path) -> str:
    return "".join(p.read_text(errors="replace") for p in directory.iterdir() if p.is_file())


@pytest.mark.parametrize("shape", ["json", "xml"])
@pytest.mark.parametrize("name", list(BAD))
def test_a_token_with_a_control_character_is_refused(
    sandbox: Sandbox, tmp_path: pathlib.Path, name: str, shape: str
) -> None:
    bad = BAD[name]
    auth = make_auth(sandbox, store=finauth.FileStore(str(tmp_path)))
    # token(), headers(), then each integration's request: each meets one hostile answer.
    sandbox.fault(answer(bad, shape), times=4)
    with pytest.raises(finauth.ServerError) as token_err:
        auth.token()
    assert "Injected" not in str(token_err.value)
    assert token_err.value.kind == "SERVER"
    with pytest.raises(finauth.ServerError):
        auth.headers()
    session = requests.Session()
    session.auth = RequestsAuth(auth)
    with pytest.raises(finauth.ServerError):
        session.get(sandbox.url + PATH, timeout=10)
    with httpx.Client(auth=HttpxAuth(auth)) as client, pytest.raises(finauth.ServerError):
        client.get(sandbox.url + PATH)
    assert sandbox.admin("GET", "/__admin/stats")["endpoints"].get(f"GET {PATH}", 0) == 0
    assert auth.guard_status()["failed_attempts"] == 0
    assert "Injected" not in stored_text(tmp_path)


@pytest.mark.parametrize("name", ["CRLF", "NUL"])
def test_the_async_api_refuses_it_too(sandbox: Sandbox, name: str) -> None:
    async def main() -> None:
        auth = make_async_auth(sandbox)
        with pytest.raises(finauth.ServerError):
            await auth.token()
        async with httpx.AsyncClient(auth=HttpxAuth(auth)) as client:
            with pytest.raises(finauth.ServerError):
                await client.get(sandbox.url + PATH)

    sandbox.fault(answer(BAD[name], "json"), times=2)
    asyncio.run(main())


def test_a_store_document_edited_to_hold_a_crlf_token_is_refused(sandbox: Sandbox, tmp_path: pathlib.Path) -> None:
    first = make_auth(sandbox, store=finauth.FileStore(str(tmp_path)))
    good = first.token()
    edited = 0
    for p in tmp_path.iterdir():
        text = p.read_text(errors="replace")
        if good in text:
            p.write_text(text.replace(json.dumps(good), json.dumps(hostile("\r\n"))))
            edited += 1
    assert edited == 1
    second = make_auth(sandbox, store=finauth.FileStore(str(tmp_path)))
    token = second.token()
    assert "Injected" not in token and token != good
    assert sandbox.auth_requests() == 2
    assert "Injected" not in stored_text(tmp_path)


def leaked(text: str, secret: str) -> list[int]:
    """Lengths of the secret's prefixes (4 characters or more) found in text."""
    return [n for n in range(4, len(secret) + 1) if secret[:n] in text]


@pytest.mark.parametrize("status", [500, 400])
def test_a_secret_or_app_key_around_the_cut_never_reaches_the_error(sandbox: Sandbox, status: int) -> None:
    secret, app_key = "HostileSecret2026xyz1", "hostile-appkey-Z9w4"
    for value in (secret, app_key):
        for at in range(300 - len(value) - 3, 304):
            auth = make_auth(sandbox, partner_secret=secret, app_key=app_key)
            message = "m" * at + value + " is over the limit"
            sandbox.fault(
                {"status": status, "content_type": "application/json", "body": json.dumps({"code": 1000, "message": message})}
            )
            with pytest.raises(finauth.FinauthError) as err:
                auth.token()
            text = str(err.value) + repr(err.value)
            assert leaked(text, value) == [], (value, at, text)
            assert "code 1000" in text and "Some(" not in text
