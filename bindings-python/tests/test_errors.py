"""Each error kind reachable from Python is raised as its class, with its attributes."""

from __future__ import annotations

import asyncio
import builtins
import pickle
import socket
from pathlib import Path

import pytest
from conftest import PARTNER_ID, Sandbox, make_async_auth, make_auth

import finauth


def test_hierarchy() -> None:
    for cls in (
        finauth.ConfigError,
        finauth.InvalidCredentialsError,
        finauth.AccountLockedError,
        finauth.LockoutGuardError,
        finauth.RateLimitedError,
        finauth.UnauthorizedError,
        finauth.ServerError,
        finauth.TransportError,
        finauth.TimeoutError,
        finauth.StoreError,
        finauth.SigningKeyError,
    ):
        assert issubclass(cls, finauth.FinauthError)
        assert cls.__doc__
    assert issubclass(finauth.TimeoutError, builtins.TimeoutError)
    e = finauth.InvalidCredentialsError("m", kind="INVALID_CREDENTIALS", attempts_remaining=2, code=10001)
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is finauth.InvalidCredentialsError
    assert (again.attempts_remaining, again.code, str(again)) == (2, 10001, "m")


def test_config_error(sandbox: Sandbox) -> None:
    with pytest.raises(finauth.ConfigError) as info:
        make_auth(sandbox, partner_id="")
    assert info.value.kind == "CONFIG" and "partner_id" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_invalid_credentials_then_guard(sandbox: Sandbox) -> None:
    auth = make_auth(sandbox, partner_secret="WrongSecret1")
    with pytest.raises(finauth.InvalidCredentialsError) as info:
        auth.token()
    assert info.value.kind == "INVALID_CREDENTIALS"
    assert info.value.attempts_remaining == 2 and info.value.code == 10001
    with pytest.raises(finauth.LockoutGuardError) as guard:
        auth.token()
    assert guard.value.kind == "LOCKOUT_GUARD"
    assert guard.value.failed_attempts == 1 and guard.value.reason == "secret_rejected"
    assert sandbox.stats()["auth_failures"] == 1


def test_guard_stops_wrong_secrets_at_max_failed_attempts(sandbox: Sandbox) -> None:
    store = finauth.MemoryStore()
    refused = 0
    for i in range(10):
        auth = make_auth(sandbox, partner_secret=f"WrongSecret{i}", store=store)
        try:
            auth.token()
        except finauth.LockoutGuardError as e:
            refused += 1
            assert e.reason == "attempts_exhausted" and e.failed_attempts == 3
        except finauth.InvalidCredentialsError:
            pass
    assert sandbox.stats()["auth_failures"] <= 3
    assert refused == 7
    assert not sandbox.stats()["locked"]


def test_account_locked(sandbox: Sandbox) -> None:
    sandbox.fault("locked")
    with pytest.raises(finauth.AccountLockedError) as info:
        make_auth(sandbox).token()
    assert info.value.code == 24302 and info.value.kind == "ACCOUNT_LOCKED"


def test_rate_limited_on_an_unknown_app_key(sandbox: Sandbox) -> None:
    with pytest.raises(finauth.RateLimitedError) as info:
        make_auth(sandbox, app_key="not-a-known-key").token()
    assert info.value.kind == "RATE_LIMITED"
    assert info.value.hint


def test_rate_limited_carries_retry_after(sandbox: Sandbox) -> None:
    sandbox.fault({"retry_after_secs": 7})
    auth = make_auth(sandbox)
    with pytest.raises(finauth.RateLimitedError) as info:
        auth.token()
    assert info.value.retry_after == 7.0
    # Not a credential verdict: the next attempt waits for the server's Retry-After, the guard
    # counts nothing.
    assert auth.guard_status()["failed_attempts"] == 0


def test_server_error(sandbox: Sandbox) -> None:
    sandbox.fault({"status": 503, "content_type": "text/html", "body": "<h1>down</h1>"})
    with pytest.raises(finauth.ServerError) as info:
        make_auth(sandbox).token()
    assert info.value.status == 503 and info.value.kind == "SERVER"


def test_transport_error() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    auth = finauth.PartnerAuth(
        partner_id=PARTNER_ID,
        partner_secret="DemoSecret2026",
        app_key="demo-app-key",
        base_url=f"http://127.0.0.1:{port}",
        allow_insecure_loopback=True,
    )
    with pytest.raises(finauth.TransportError) as info:
        auth.token()
    assert info.value.kind == "TRANSPORT"
    assert isinstance(info.value, ConnectionError)


def test_timeout_error_is_also_the_builtin(sandbox: Sandbox) -> None:
    sandbox.fault({"delay_ms": 3000})
    auth = make_auth(sandbox, timeout=0.5)
    with pytest.raises(TimeoutError) as info:
        auth.token()
    assert isinstance(info.value, finauth.TimeoutError)
    assert info.value.kind == "TIMEOUT" and info.value.after is not None


def test_async_errors_are_the_same_classes(sandbox: Sandbox) -> None:
    auth = make_async_auth(sandbox, partner_secret="WrongSecret1")

    async def main() -> None:
        with pytest.raises(finauth.InvalidCredentialsError) as info:
            await auth.token()
        assert info.value.attempts_remaining == 2
        with pytest.raises(finauth.LockoutGuardError):
            await auth.headers()

    asyncio.run(main())


def test_store_error(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(finauth.StoreError) as info:
        finauth.FileStore(str(not_a_dir))
    assert info.value.kind == "STORE"


def test_store_error_on_a_corrupt_file(sandbox: Sandbox, tmp_path: Path) -> None:
    auth = make_auth(sandbox, store=finauth.FileStore(str(tmp_path)))
    auth.token()
    for f in tmp_path.glob("finauth-*.json"):
        f.write_text("{corrupt")
    with pytest.raises(finauth.StoreError):
        auth.guard_status()
