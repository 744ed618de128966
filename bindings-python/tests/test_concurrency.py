"""Herds on a cold cache authenticate once; waits release the GIL and never block asyncio."""

from __future__ import annotations

import asyncio
import threading
import time

from conftest import Sandbox, make_async_auth, make_auth


def test_herd_of_200_threads_on_a_cold_cache_authenticates_once(sandbox: Sandbox) -> None:
    sandbox.set_latency(200)
    auth = make_auth(sandbox)
    barrier = threading.Barrier(200)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            barrier.wait()
            tokens.append(auth.token())
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=call) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(tokens) == 200 and len(set(tokens)) == 1
    assert sandbox.auth_requests() == 1
    assert auth.stats()["auth_requests"] == 1


def test_herd_of_1000_asyncio_tasks_on_a_cold_cache_authenticates_once(sandbox: Sandbox) -> None:
    sandbox.set_latency(200)
    auth = make_async_auth(sandbox)

    async def main() -> list[str]:
        return await asyncio.gather(*(auth.token() for _ in range(1000)))

    tokens = asyncio.run(main())
    assert len(tokens) == 1000 and len(set(tokens)) == 1
    assert sandbox.auth_requests() == 1


def test_gil_is_released_while_a_thread_waits_for_a_slow_authentication(sandbox: Sandbox) -> None:
    sandbox.set_latency(500)
    auth = make_auth(sandbox)
    done = threading.Event()
    counted = 0

    def fetch() -> None:
        auth.token()
        done.set()

    t = threading.Thread(target=fetch)
    started = time.monotonic()
    t.start()
    while not done.is_set():
        counted += 1
    t.join()
    elapsed = time.monotonic() - started
    assert elapsed >= 0.45
    # Pure-Python counting kept running the whole half second (millions of loops when free;
    # a held GIL would allow almost none).
    assert counted > 100_000, counted


def test_asyncio_loop_keeps_serving_while_a_task_waits(sandbox: Sandbox) -> None:
    sandbox.set_latency(500)
    auth = make_async_auth(sandbox)

    async def main() -> int:
        ticks = 0
        stop = False

        async def ticker() -> None:
            nonlocal ticks
            while not stop:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        await auth.token()
        stop = True
        await task
        return ticks

    ticks = asyncio.run(main())
    assert ticks >= 25, ticks
