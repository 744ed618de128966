"""RedisStore: two processes share one token through a real redis-server.

The server comes from FINAUTH_TEST_REDIS_URL (scripts/test-python.sh under scripts/test.sh and
.ci/run starts one with scripts/redis-server.sh and sets it). Without it these tests are skipped
with that reason, except under CI, where a missing server is a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid

import pytest
from conftest import APP_KEY, PARTNER_ID, SECRET, Sandbox, make_auth

import finauth

REDIS_URL = os.environ.get("FINAUTH_TEST_REDIS_URL", "").strip()

if not REDIS_URL and os.environ.get("CI"):
    pytest.fail("FINAUTH_TEST_REDIS_URL is not set: CI must start scripts/redis-server.sh", pytrace=False)

needs_redis = pytest.mark.skipif(
    not REDIS_URL,
    reason="FINAUTH_TEST_REDIS_URL is not set (FINAUTH_TEST_REDIS_URL=$(bash scripts/redis-server.sh start))",
)

CHILD = textwrap.dedent(
    """
    import sys, finauth
    url, redis, prefix = sys.argv[1:4]
    auth = finauth.PartnerAuth(partner_id=%r, partner_secret=%r, app_key=%r, base_url=url,
                               allow_insecure_loopback=True,
                               store=finauth.RedisStore(redis, prefix=prefix))
    print(auth.token())
    """
    % (PARTNER_ID, SECRET, APP_KEY)
)


@needs_redis
def test_two_processes_share_one_token_through_redis(sandbox: Sandbox) -> None:
    prefix = "finauth-pytest-" + uuid.uuid4().hex
    outs = []
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, sandbox.url, REDIS_URL, prefix],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        outs.append(out.stdout.strip())
    assert outs[0] == outs[1] and len(outs[0]) == 32
    assert sandbox.auth_requests() == 1
    # This process, on the same prefix, adopts it as well; another prefix does not.
    store = finauth.RedisStore(REDIS_URL, prefix=prefix)
    assert make_auth(sandbox, store=store).token() == outs[0]
    assert make_auth(sandbox, store=REDIS_URL + "?prefix=" + prefix).token() == outs[0]
    assert sandbox.auth_requests() == 1
    other = make_auth(sandbox, store=finauth.RedisStore(REDIS_URL, prefix=prefix + "-other"))
    assert other.token() != outs[0]
    assert sandbox.auth_requests() == 2


def test_redis_store_arguments_and_no_password_in_repr() -> None:
    store = finauth.RedisStore("redis://app:Pa55word-secret@127.0.0.1:1/0", prefix="team-a")
    assert "Pa55word-secret" not in repr(store)
    assert "team-a" in repr(store) and store.prefix == "team-a"
    for bad in ["", "http://h", "redis://"]:
        with pytest.raises(finauth.ConfigError):
            finauth.RedisStore(bad)
    with pytest.raises(finauth.ConfigError):
        finauth.RedisStore("redis://h", command_timeout=-1)


def test_unreachable_redis_degrades_with_a_warning(sandbox: Sandbox) -> None:
    # Port 1 on loopback: refused at once. The token still comes (local state, one-attempt guard).
    store = finauth.RedisStore("redis://127.0.0.1:1/0", connect_timeout=0.5, command_timeout=0.5)
    auth = make_auth(sandbox, store=store)
    assert len(auth.token()) == 32
