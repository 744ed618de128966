"""Fork safety: an object made before os.fork() works in the child, and the parent is unaffected;
gunicorn's pre-forked sync workers share one token through a FileStore."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import APP_KEY, PARTNER_ID, SECRET, Sandbox, make_auth

import finauth

HERE = Path(__file__).resolve().parent

# Python >= 3.12 warns about fork() in a process with threads (finauth's runtime has some): the
# point of these tests is that finauth is safe there.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


def _child(auth: finauth.PartnerAuth, parent_token: str) -> int:
    """Runs in the forked child; returns its exit status."""
    try:
        if auth.token() != parent_token:  # inherited cache
            return 10
        if not auth.invalidate(parent_token):  # the child's own copy
            return 11
        fresh = auth.token()  # a real authentication, on the child's runtime and connections
        if fresh == parent_token or len(fresh) != 32:
            return 12
        import asyncio

        async def use_async() -> str:
            return await auth.as_async().token()

        if asyncio.run(use_async()) != fresh:
            return 13
        return 0
    except BaseException:
        import traceback

        traceback.print_exc()
        return 20


def test_object_made_before_fork_works_in_child_and_parent(sandbox: Sandbox) -> None:
    auth = make_auth(sandbox)
    token = auth.token()
    assert auth.as_async() is not None
    for round_ in range(2):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            code = _child(auth, token)
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (round_, status)
    # The parent is unaffected: same token, same counters, and its runtime still works.
    assert auth.token() == token
    assert auth.stats()["auth_requests"] == 1
    assert auth.invalidate(token)
    assert auth.token() != token
    assert sandbox.auth_requests() == 4  # parent twice, each child once


def test_fork_while_an_authentication_is_in_flight(sandbox: Sandbox) -> None:
    import threading

    sandbox.set_latency(400)
    auth = make_auth(sandbox)
    t = threading.Thread(target=auth.token)
    t.start()
    time.sleep(0.1)  # the parent's refresh is in flight on the parent's runtime
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            ok = len(auth.token()) == 32
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    t.join()
    assert os.WEXITSTATUS(status) == 0
    assert len(auth.token()) == 32


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=20) as r:
        body: dict[str, Any] = json.loads(r.read())
        return body


@pytest.mark.skipif(shutil.which("gunicorn", path=os.path.dirname(sys.executable)) is None,
                    reason="gunicorn is not installed in this environment")
def test_gunicorn_preforked_workers_share_one_token_through_a_file_store(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    port = _free_port()
    env = dict(
        os.environ,
        FINICITY_PARTNER_ID=PARTNER_ID,
        FINICITY_PARTNER_SECRET=SECRET,
        FINICITY_APP_KEY=APP_KEY,
        FINICITY_BASE_URL=sandbox.url,
        FINAUTH_ALLOW_INSECURE_LOOPBACK="1",
        FINAUTH_STORE=f"file:{tmp_path / 'store'}",
        PYTHONPATH=str(HERE),
    )
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    proc = subprocess.Popen(
        [gunicorn, "--preload", "--workers", "4", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi_app:app"],
        env=env,
        cwd=str(HERE),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(base + "/token")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda _: _get(base + "/token"), range(64)))
        assert all(a["token_is_master_token"] for a in answers)
        assert len({a["pid"] for a in answers}) >= 2, "several workers served"
        assert sandbox.auth_requests() == 1  # the master's, shared through the fork and the store

        sandbox.expire_tokens()
        with ThreadPoolExecutor(16) as pool:
            calls = list(pool.map(lambda _: _get(base + "/call"), range(64)))
        assert all(c["status"] == 200 for c in calls), calls
        # Every worker saw the expired token, but the workers share one refresh via the store.
        assert sandbox.auth_requests() == 2, sandbox.stats()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
