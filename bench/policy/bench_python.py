"""Request-policy benchmarks, Python (figures only, no assertions).

1. fresh ``token()`` per call on 1 thread and on 2 threads at once (the GIL serialises them; the
   figure is wall time per call per thread), for whichever finauth wheel is installed;
2. what each integration adds to a request over its bare client: requests and httpx (sync),
   against a loopback path the sandbox answers 404 (not judged by the policy, so no resend), the
   median of interleaved rounds.

    python bench_python.py SANDBOX_URL [fresh|integrations]
"""

from __future__ import annotations

import statistics
import sys
import threading
import time

import finauth

N_FRESH = 1_000_000
N_HTTP = 1_500
ROUNDS = 5


def make(url: str) -> finauth.PartnerAuth:
    auth = finauth.PartnerAuth(
        partner_id="finauth-demo-partner",
        partner_secret="DemoSecret2026",
        app_key="demo-app-key",
        base_url=url,
        allow_insecure_loopback=True,
    )
    auth.token()
    return auth


def fresh(url: str) -> None:
    auth = make(url)
    token = auth.token
    best1 = float("inf")
    for _ in range(5):
        start = time.perf_counter_ns()
        for _ in range(N_FRESH):
            token()
        best1 = min(best1, (time.perf_counter_ns() - start) / N_FRESH)
    best2 = float("inf")
    for _ in range(3):
        barrier = threading.Barrier(2)
        spans: list[int] = []

        def run() -> None:
            barrier.wait()
            start = time.perf_counter_ns()
            for _ in range(N_FRESH // 2):
                token()
            spans.append(time.perf_counter_ns() - start)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        best2 = min(best2, max(spans) / (N_FRESH // 2))
    print(f"fresh token(), 1 thread: {best1:.1f} ns per call")
    print(f"fresh token(), 2 threads: {best2:.1f} ns per call per thread (wall)")


def per_request(send) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter_ns()
    for _ in range(N_HTTP):
        send()
    return (time.perf_counter_ns() - start) / N_HTTP / 1000


def integrations(url: str) -> None:
    import httpx
    import requests

    import finauth.httpx
    import finauth.requests

    auth = make(url)
    target = url + "/bench-not-judged"
    rs_bare, rs_auth = requests.Session(), requests.Session()
    rs_auth.auth = finauth.requests.FinicityAuth(auth)
    hx_bare, hx_auth = httpx.Client(), httpx.Client(auth=finauth.httpx.FinicityAuth(auth))
    pairs = {
        "requests": (lambda: rs_bare.get(target), lambda: rs_auth.get(target)),
        "httpx": (lambda: hx_bare.get(target), lambda: hx_auth.get(target)),
    }
    for name, (bare, with_auth) in pairs.items():
        bare(), with_auth()  # connections open
        b, a = [], []
        for _ in range(ROUNDS):  # interleaved: load drifts hit both alike
            b.append(per_request(bare))
            a.append(per_request(with_auth))
        mb, ma = statistics.median(b), statistics.median(a)
        print(f"{name}: bare {mb:.1f} us, with FinicityAuth {ma:.1f} us per request; the integration adds {ma - mb:.1f} us ({ma / mb:.2f}x)")


if __name__ == "__main__":
    what = sys.argv[2] if len(sys.argv) > 2 else "fresh"
    print(f"finauth {finauth.__version__} from {finauth.__file__}")
    (fresh if what == "fresh" else integrations)(sys.argv[1])
