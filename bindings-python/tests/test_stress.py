"""64 Python threads through token expiry, invalidate storms and App Key rotation: on one
PartnerAuth, and spread over several objects sharing one FileStore directory.

Every phase is fenced by a barrier, so the number of token generations is known: one cold
authentication, then per round one after the invalidate storm and one after the token expired.
The sandbox's count of authentication requests must equal it, as must the distinct tokens the
threads saw (two authentications racing would leave an unseen token behind). Every barrier and
join has a deadline, so a deadlock fails the test instead of hanging it. Tokens are refreshed
after REFRESH_AFTER s and expire at LIFETIME s: the phases between two generations take a small
fraction of REFRESH_AFTER, so no background refresh is due during them.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable

import finauth
from conftest import APP_KEY, PARTNER_ID, SECRET, Sandbox, make_auth

THREADS = 64
ROUNDS = 3
HAMMER_CALLS = 100
REFRESH_AFTER = 2.0
LIFETIME = 2.4
# A phase waits at most this long for the other threads (deadlock detection, not a timing).
PHASE_DEADLINE = 30.0


def rotated_key(r: int) -> str:
    return f"{APP_KEY}-rotated-{r}"


def finauth_threads() -> int:
    """OS threads of finauth's process-wide runtime (named finauth-runtime)."""
    n = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as f:
                n += f.read().startswith("finauth-runtime")
        except OSError:
            pass  # the thread ended
    return n


def run_rounds(sandbox: Sandbox, auths: list[finauth.PartnerAuth]) -> tuple[set[str], list[int]]:
    """Drives THREADS threads over `auths` (thread i uses auths[i % n]; threads 0..n-1 rotate
    their object's App Key). Returns every token seen and, per round, how many invalidate()
    calls reported dropping the token."""
    n = len(auths)
    barrier = threading.Barrier(THREADS + 1, timeout=PHASE_DEADLINE)
    lock = threading.Lock()
    seen: set[str] = set()
    dropped = [0] * ROUNDS
    errors: list[BaseException] = []

    def note(tokens: set[str]) -> None:
        with lock:
            seen.update(tokens)

    def worker(i: int) -> None:
        auth = auths[i % n]
        try:
            barrier.wait()  # cold start
            note({auth.token()})
            for r in range(ROUNDS):
                barrier.wait()  # hammer the fresh token
                mine = {auth.token() for _ in range(HAMMER_CALLS)}
                assert len(mine) == 1, "the token changed while fresh"
                note(mine)
                barrier.wait()  # the sandbox rotated the App Key: each object's leader follows
                if i < n:
                    auth.set_app_key(rotated_key(r))
                for _ in range(10):
                    auth.headers()
                barrier.wait()
                headers = auth.headers()
                assert headers["Finicity-App-Key"] == rotated_key(r)
                note({headers["Finicity-App-Token"]})
                old = auth.token()
                barrier.wait()  # the invalidate storm: every thread rejects the same token
                if auth.invalidate(old):
                    with lock:
                        dropped[r] += 1
                new = auth.token()
                assert new != old
                note({new})
                barrier.wait()  # idle while the token expires (the main thread sleeps)
                barrier.wait()
                note({auth.token()})
        except BaseException as e:
            errors.append(e)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(THREADS)]
    for t in threads:
        t.start()

    def phase(action: Callable[[], Any] = lambda: None) -> None:
        action()
        barrier.wait()

    try:
        phase()  # cold start
        for r in range(ROUNDS):
            phase()  # hammer
            phase(
                lambda: sandbox.admin(
                    "POST",
                    "/__admin/partners",
                    {"partner_id": PARTNER_ID, "secret": SECRET, "app_key": rotated_key(r)},
                )
            )
            phase()  # headers checked
            phase()  # invalidate storm
            phase()  # idle
            phase(lambda: time.sleep(LIFETIME + 0.3))  # expired
    except threading.BrokenBarrierError:
        pass
    deadline = time.monotonic() + PHASE_DEADLINE
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    assert not errors, errors[:3]
    stuck = sum(t.is_alive() for t in threads)
    assert stuck == 0, f"{stuck} threads did not finish (deadlock?)"
    return seen, dropped


def check_generations(sandbox: Sandbox, auths: list[finauth.PartnerAuth], seen: set[str]) -> None:
    generations = 1 + 2 * ROUNDS
    assert sandbox.auth_requests() == generations
    assert sandbox.stats()["auth_success"] == generations
    assert len(seen) == generations
    assert sum(a.stats()["auth_requests"] for a in auths) == generations
    assert sum(a.stats()["refreshes_advisory"] for a in auths) == 0


# bindings-python/src/runtime.rs: 1 worker, max_blocking_threads(64).
RUNTIME_THREADS = 1 + 64


def check_no_thread_leak(baseline: int) -> None:
    """Every Python thread ended, and finauth's threads stay within its one runtime's bound
    however many objects and calls there were."""
    gc.collect()
    assert threading.active_count() == baseline
    assert finauth_threads() <= RUNTIME_THREADS


def test_64_threads_on_one_object_through_expiry_invalidation_and_rotation(sandbox: Sandbox) -> None:
    baseline = threading.active_count()
    auth = make_auth(sandbox, refresh_after=REFRESH_AFTER, token_lifetime=LIFETIME)
    seen, dropped = run_rounds(sandbox, [auth])
    check_generations(sandbox, [auth], seen)
    # One invalidate() per storm found the token current; the other 63 were no-ops.
    assert dropped == [1] * ROUNDS
    assert auth.stats()["invalidations"] == ROUNDS
    del auth
    check_no_thread_leak(baseline)


def test_64_threads_on_8_objects_sharing_a_file_store(sandbox: Sandbox, tmp_path: Path) -> None:
    objects = 8
    baseline = threading.active_count()
    directory = tmp_path / "store"
    auths = [
        make_auth(
            sandbox,
            store=finauth.FileStore(directory),
            refresh_after=REFRESH_AFTER,
            token_lifetime=LIFETIME,
        )
        for _ in range(objects)
    ]
    seen, dropped = run_rounds(sandbox, auths)
    check_generations(sandbox, auths, seen)
    # Each object's cache dropped the rejected token once.
    assert dropped == [objects] * ROUNDS
    # The objects but the authenticating one adopted each generation from the store.
    assert sum(a.stats()["tokens_adopted"] for a in auths) > 0
    # One state file and its lock, no temporary file left behind by the atomic replaces.
    names = sorted(p.name for p in directory.iterdir())
    assert len(names) == 2 and names[0].endswith(".json") and names[1].endswith(".lock"), names
    del auths
    check_no_thread_leak(baseline)
