"""Interpreter exit while finauth's runtime still has work: the `atexit` hook stops the log
forwarder and the runtime before the interpreter finalizes, so no finauth thread attaches to a
finalizing interpreter (which aborts the process: "PyGILState_Release: thread state must be
current when releasing")."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from conftest import APP_KEY, PARTNER_ID, SECRET, Sandbox


def run_to_exit(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_exit_with_awaitables_still_running_is_clean(sandbox: Sandbox) -> None:
    # The authentication answers after 1.5 s; the script gives up after 0.2 s, so asyncio.run
    # cancels 50 awaitables whose Rust side is still waiting, and the interpreter exits with
    # them in flight, logging to Python's logging.
    sandbox.fault({"delay_ms": 1500})
    started = time.monotonic()
    done = run_to_exit(
        f"""
        import asyncio, logging, finauth
        logging.basicConfig(level=logging.DEBUG)
        auth = finauth.PartnerAuth(
            partner_id={PARTNER_ID!r}, partner_secret={SECRET!r}, app_key={APP_KEY!r},
            base_url={sandbox.url!r}, allow_insecure_loopback=True,
        ).as_async()

        async def main():
            tasks = [asyncio.ensure_future(auth.token()) for _ in range(50)]
            await asyncio.sleep(0.2)
            print("leaving", sum(t.done() for t in tasks), "done", flush=True)

        asyncio.run(main())
        """
    )
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "leaving 0 done" in done.stdout
    assert "Fatal Python error" not in done.stderr
    assert took < 30, f"the exit hung: {took:.1f} s"


def test_exit_after_a_sync_call_is_clean(sandbox: Sandbox) -> None:
    done = run_to_exit(
        f"""
        import finauth
        auth = finauth.PartnerAuth(
            partner_id={PARTNER_ID!r}, partner_secret={SECRET!r}, app_key={APP_KEY!r},
            base_url={sandbox.url!r}, allow_insecure_loopback=True,
        )
        print(len(auth.token()))
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().isdigit()
