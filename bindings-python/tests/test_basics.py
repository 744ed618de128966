"""The sync and async API against the sandbox: tokens, headers, counters, guard, rotation."""

from __future__ import annotations

import asyncio

import pytest
from conftest import APP_KEY, PARTNER_ID, SECRET, Sandbox, make_async_auth, make_auth

import finauth


def test_token_is_cached_and_headers_carry_it(sandbox: Sandbox) -> None:
    auth = make_auth(sandbox)
    token = auth.token()
    assert len(token) == 32
    assert auth.token() == token
    assert auth.headers() == {"Finicity-App-Key": APP_KEY, "Finicity-App-Token": token}
    stats = auth.stats()
    assert stats["auth_requests"] == 1 and stats["cache_hits"] >= 2
    assert sandbox.auth_requests() == 1


def test_repeated_token_calls_return_the_same_string_object(sandbox: Sandbox) -> None:
    auth = make_auth(sandbox)
    auth.token()
    assert auth.token() is auth.token()


def test_async_api_shares_state_with_sync_twin(sandbox: Sandbox) -> None:
    auth = make_auth(sandbox)

    async def main() -> None:
        a = auth.as_async()
        token = await a.token()
        assert token == auth.token()
        assert await a.headers() == auth.headers()
        status = await a.guard_status()
        assert status["attempts_remaining"] == 3 and status["store"] == "memory"
        assert await a.invalidate(token) is True
        assert await a.token() != token

    asyncio.run(main())
    assert sandbox.auth_requests() == 2


def test_from_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINICITY_PARTNER_ID", PARTNER_ID)
    monkeypatch.setenv("FINICITY_PARTNER_SECRET", SECRET)
    monkeypatch.setenv("FINICITY_APP_KEY", APP_KEY)
    monkeypatch.setenv("FINICITY_BASE_URL", sandbox.url)
    monkeypatch.setenv("FINAUTH_ALLOW_INSECURE_LOOPBACK", "1")
    auth = finauth.PartnerAuth.from_env()
    assert auth.partner_id == PARTNER_ID
    assert auth.base_url.startswith(sandbox.url)
    assert len(auth.token()) == 32
    assert finauth.AsyncPartnerAuth.from_env().partner_id == PARTNER_ID
    monkeypatch.delenv("FINICITY_PARTNER_SECRET")
    with pytest.raises(finauth.ConfigError, match="FINICITY_PARTNER_SECRET"):
        finauth.PartnerAuth.from_env()


def test_invalidate_causes_one_refresh(sandbox: Sandbox) -> None:
    auth = make_auth(sandbox)
    old = auth.token()
    assert auth.invalidate(old) is True
    assert auth.invalidate(old) is False
    new = auth.token()
    assert new != old
    assert auth.stats()["invalidations"] == 1
    assert sandbox.auth_requests() == 2


def test_modify_partner_secret_and_set_app_key(sandbox: Sandbox) -> None:
    auth = make_auth(sandbox)
    auth.token()
    auth.modify_partner_secret("NewSecret2027xyz", immediate=True)
    auth.invalidate(auth.token())
    assert len(auth.token()) == 32
    assert sandbox.stats()["modify_success"] == 1
    with pytest.raises(finauth.ConfigError):
        auth.set_app_key("has a space")
    auth.set_app_key(APP_KEY)


def test_file_store_shares_the_token_between_objects(sandbox: Sandbox, tmp_path: object) -> None:
    store = finauth.FileStore(str(tmp_path))
    assert "FileStore(" in repr(store)
    a = make_auth(sandbox, store=store)
    b = make_auth(sandbox, store=f"file:{tmp_path}")
    assert a.token() == b.token()
    assert sandbox.auth_requests() == 1
    assert a.guard_status()["store"].startswith("file:")


def test_reset_lockout_guard(sandbox: Sandbox) -> None:
    store = finauth.MemoryStore()
    wrong = make_auth(sandbox, partner_secret="WrongSecret1", store=store)
    with pytest.raises(finauth.InvalidCredentialsError):
        wrong.token()
    assert wrong.guard_status()["failed_attempts"] == 1
    wrong.reset_lockout_guard()
    assert wrong.guard_status()["failed_attempts"] == 0


def test_durations_and_options_are_checked(sandbox: Sandbox) -> None:
    with pytest.raises(finauth.ConfigError, match="timeout"):
        make_auth(sandbox, timeout=-1.0)
    with pytest.raises(finauth.ConfigError, match="max_failed_attempts"):
        make_auth(sandbox, max_failed_attempts=5)
    with pytest.raises(finauth.ConfigError, match="allow_insecure_loopback"):
        make_auth(sandbox, allow_insecure_loopback=False)
    with pytest.raises(finauth.ConfigError, match="store"):
        make_auth(sandbox, store=42)
    with pytest.raises(TypeError):
        finauth.PartnerAuth(PARTNER_ID, SECRET, APP_KEY)  # type: ignore[misc]
    auth = make_auth(sandbox, refresh_after=1.5, token_lifetime=3.0, timeout=2.5, max_failed_attempts=2)
    assert auth.guard_status()["max_failed_attempts"] == 2


def test_async_from_constructor(sandbox: Sandbox) -> None:
    async def main() -> str:
        a = finauth.AsyncPartnerAuth(
            partner_id=PARTNER_ID,
            partner_secret=SECRET,
            app_key=APP_KEY,
            base_url=sandbox.url,
            allow_insecure_loopback=True,
        )
        await a.reset_lockout_guard()
        return await a.token()

    assert len(asyncio.run(main())) == 32


def test_every_public_name_has_a_docstring() -> None:
    import finauth.httpx
    import finauth.requests

    assert finauth.__doc__
    for module in (finauth, finauth.requests, finauth.httpx):
        for name in module.__all__:
            obj = getattr(module, name)
            if name.startswith("__"):
                continue
            assert obj.__doc__, f"{module.__name__}.{name}"
            for attr, member in vars(obj).items() if isinstance(obj, type) else ():
                if not attr.startswith("_") and callable(member) or isinstance(member, property):
                    if not attr.startswith("_"):
                        assert getattr(obj, attr).__doc__, f"{module.__name__}.{name}.{attr}"


def test_async_twin_of_a_sync_object(sandbox: Sandbox) -> None:
    a = make_async_auth(sandbox)
    assert isinstance(a, finauth.AsyncPartnerAuth)
    assert isinstance(a.as_sync(), finauth.PartnerAuth)
    assert repr(a).startswith("AsyncPartnerAuth(partner_id=")


EXIT_CHILD = """
import logging, sys, finauth
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
auth = finauth.PartnerAuth(partner_id=sys.argv[2], partner_secret=sys.argv[3], app_key=sys.argv[4],
                           base_url=sys.argv[1], allow_insecure_loopback=True)
print(auth.token())
auth.invalidate(auth.token())
print(auth.token())
"""


def test_the_interpreter_exits_cleanly_after_using_finauth(sandbox: Sandbox) -> None:
    # Log records still in flight at exit must not reach a finalizing interpreter (that aborts
    # the process with "PyGILState_Release: thread state ... must be current").
    import subprocess
    import sys

    for _ in range(12):
        out = subprocess.run(
            [sys.executable, "-c", EXIT_CHILD, sandbox.url, PARTNER_ID, SECRET, APP_KEY],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr[-2000:]
        assert "Fatal Python error" not in out.stderr
        assert len(out.stdout.split()) == 2


def test_one_string_object_per_core_generation(sandbox: Sandbox) -> None:
    """The fresh path hands out the same str object while the core's generation stands; a new
    App Key or a new token is a new generation, so a new object (no lock, no comparison of tokens)."""
    auth = make_auth(sandbox)
    first = auth.token()
    assert auth.token() is first and auth.headers()["Finicity-App-Token"] is first
    auth.set_app_key(APP_KEY)  # same key, but headers built before are stale: a new generation
    after_key = auth.token()
    assert after_key == first and after_key is not first
    assert auth.token() is after_key
    auth.invalidate(after_key)
    renewed = auth.token()
    assert renewed != first and auth.token() is renewed
    assert sandbox.auth_requests() == 2
