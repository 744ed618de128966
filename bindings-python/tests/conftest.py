"""Fixtures: the finauth sandbox as a real process (port 0), and helpers to talk to its admin API."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

import finauth

ROOT = Path(__file__).resolve().parents[2]
PARTNER_ID = "finauth-demo-partner"
SECRET = "DemoSecret2026"
APP_KEY = "demo-app-key"


def pytest_configure(config: pytest.Config) -> None:
    """With FINAUTH_TEST_ARTIFACTS, every tmp_path (the tests' FileStore directories) lives under
    it, and is kept, for scripts/secret-scan.sh."""
    root = os.environ.get("FINAUTH_TEST_ARTIFACTS")
    if root and not config.option.basetemp:
        config.option.basetemp = os.path.join(root, f"pytest-{os.getpid()}")


def sandbox_binary() -> str:
    path = os.environ.get("FINAUTH_SANDBOX_BIN") or str(ROOT / "target" / "debug" / "finauth-sandbox")
    if not os.path.exists(path):
        pytest.fail(f"sandbox binary not found at {path}: cargo build -p finauth-sandbox")
    return path


def sandbox_stderr() -> Any:
    """The sandbox's stderr: a log under FINAUTH_TEST_ARTIFACTS when set (scripts/secret-scan.sh
    reads it), else discarded."""
    root = os.environ.get("FINAUTH_TEST_ARTIFACTS")
    if not root:
        return subprocess.DEVNULL
    os.makedirs(root, exist_ok=True)
    return open(os.path.join(root, f"sandbox-python-{os.getpid()}.log"), "ab")


class Sandbox:
    """A running finauth-sandbox process."""

    def __init__(self, *args: str) -> None:
        stderr = sandbox_stderr()
        self.proc = subprocess.Popen(
            [sandbox_binary(), "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        if stderr is not subprocess.DEVNULL:
            stderr.close()  # the child has its own copy
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://"):
            self.proc.kill()
            raise RuntimeError(f"sandbox did not start: {line!r}")
        self.url = line

    def admin(self, method: str, path: str, body: Optional[Any] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def stats(self, partner: str = PARTNER_ID) -> dict[str, Any]:
        stats: dict[str, Any] = self.admin("GET", "/__admin/stats")["partners"][partner]
        return stats

    def auth_requests(self) -> int:
        return int(self.stats()["auth_requests"])

    def set_latency(self, ms: int) -> None:
        self.admin("POST", "/__admin/config", {"latency_ms": ms})

    def fault(self, fault: Any, times: int = 1) -> None:
        self.admin("POST", "/__admin/faults", {"fault": fault, "times": times})

    def script(self, path_prefix: str, answers: list[dict[str, Any]]) -> None:
        """The next requests under ``path_prefix`` get these answers (status, headers, body) in order."""
        self.admin("POST", "/__admin/script", {"path_prefix": path_prefix, "answers": answers})

    def script_report(self) -> dict[str, Any]:
        report: dict[str, Any] = self.admin("GET", "/__admin/script")
        return report

    def expire_tokens(self) -> None:
        self.admin("POST", "/__admin/expire-tokens", {"partner_id": PARTNER_ID})

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox()
    yield sb
    sb.stop()


def make_auth(sandbox: Sandbox, **kw: Any) -> finauth.PartnerAuth:
    args: dict[str, Any] = dict(
        partner_id=PARTNER_ID,
        partner_secret=SECRET,
        app_key=APP_KEY,
        base_url=sandbox.url,
        allow_insecure_loopback=True,
    )
    args.update(kw)
    return finauth.PartnerAuth(**args)


def make_async_auth(sandbox: Sandbox, **kw: Any) -> finauth.AsyncPartnerAuth:
    return make_auth(sandbox, **kw).as_async()
