"""finauth's Python benchmarks: fresh token() calls/s against other caches, herds on a cold cache,
import time and idle RSS. Prints figures; asserts nothing about time.

Run by ``bench/python/run.sh`` (release wheel, sandbox started there):
    python bench/python/bench_token.py SANDBOX_URL
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional

import finauth

PARTNER_ID = "finauth-demo-partner"
SECRET = "DemoSecret2026"
APP_KEY = "demo-app-key"
AUTH_PATH = "/aggregation/v2/partners/authentication"


def per_call_ns(fn: Callable[[], object], n: int = 1_000_000, repeat: int = 5) -> float:
    """Best of `repeat` runs of `n` calls, in ns per call (loop overhead included, as a caller
    pays it)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter_ns() - start) / n)
    return best


def empty_loop_ns(n: int = 1_000_000) -> float:
    def nothing() -> None:
        return None

    return per_call_ns(nothing, n)


class DictLockCache:
    """The usual hand-written cache: a dict under a threading.Lock, expiry checked per call."""

    def __init__(self, fetch: Callable[[], str]) -> None:
        self._lock = threading.Lock()
        self._fetch = fetch
        self._entry: dict[str, tuple[str, float]] = {}

    def token(self) -> str:
        with self._lock:
            entry = self._entry.get("token")
            if entry is not None and time.monotonic() < entry[1]:
                return entry[0]
            tok = self._fetch()
            self._entry["token"] = (tok, time.monotonic() + 5400)
            return tok


class NaiveCache:
    """A cache without single-flight: every caller that misses authenticates."""

    def __init__(self, fetch: Callable[[], str]) -> None:
        self._fetch = fetch
        self._token: Optional[str] = None

    def token(self) -> str:
        tok = self._token
        if tok is None:
            tok = self._fetch()
            self._token = tok
        return tok


def sandbox_fetch(url: str) -> Callable[[], str]:
    def fetch() -> str:
        body = json.dumps({"partnerId": PARTNER_ID, "partnerSecret": SECRET}).encode()
        req = urllib.request.Request(
            url + AUTH_PATH,
            data=body,
            method="POST",
            headers={"Finicity-App-Key": APP_KEY, "Content-Type": "application/json", "Accept": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            token: str = json.loads(r.read())["token"]
            return token

    return fetch


def admin(url: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


def sandbox_auth_requests(url: str) -> int:
    return int(admin(url, "GET", "/__admin/stats")["partners"][PARTNER_ID]["auth_requests"])


def herd(url: str, callers: int, token: Callable[[], str]) -> tuple[int, float]:
    admin(url, "POST", "/__admin/reset-stats")
    barrier = threading.Barrier(callers)

    def call() -> None:
        barrier.wait()
        token()

    threads = [threading.Thread(target=call) for _ in range(callers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sandbox_auth_requests(url), time.perf_counter() - start


def mastercard_figures() -> dict[str, float]:
    """Mastercard oauth2-client's cache hit as its request handler performs it, and its store alone."""
    try:
        from mastercard_oauth2_client._internal.orchestration import token_filter
        from mastercard_oauth2_client.keys import generate_ec_key_pair
        from mastercard_oauth2_client.models import AccessToken, AccessTokenFilter, DPoPKey
        from mastercard_oauth2_client.store import InMemoryTokenStore
        from mastercard_oauth2_client._internal.jose import jwk_thumbprint
    except ImportError as e:
        print(f"mastercard-oauth2-client not available ({e}); skipped")
        return {}
    key = DPoPKey(key_id="k1", key_pair=generate_ec_key_pair())
    scopes = frozenset({"resource"})
    jkt = jwk_thumbprint(key.key_pair.public_key)
    store = InMemoryTokenStore()
    store.put(
        AccessToken(
            client_id="client",
            token_value="x" * 32,
            scopes=scopes,
            expires_at=datetime.now(timezone.utc) + timedelta(hours=1),
            jkt=jkt,
        )
    )
    assert store.get(token_filter(scopes, key)) is not None
    flt = AccessTokenFilter(scopes=scopes, jkt=jkt)
    return {
        "mastercard handler cache hit: store.get(token_filter(...))": per_call_ns(
            lambda: store.get(token_filter(scopes, key)), n=50_000
        ),
        "mastercard InMemoryTokenStore.get alone": per_call_ns(lambda: store.get(flt), n=500_000),
    }


def rss_kib(code: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport re\nprint(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1))"],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ),
    ).stdout.split()[-1]
    return int(out)


def import_time_us() -> list[int]:
    times = []
    for _ in range(7):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import finauth"], capture_output=True, text=True, check=True
        ).stderr
        for line in err.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == "finauth":
                times.append(int(parts[1]))
    return times


def main() -> None:
    url = sys.argv[1]
    print(f"finauth {finauth.__version__} at {os.path.dirname(finauth.__file__)}")
    print(f"python {sys.version.split()[0]}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs")

    auth = finauth.PartnerAuth(
        partner_id=PARTNER_ID, partner_secret=SECRET, app_key=APP_KEY, base_url=url, allow_insecure_loopback=True
    )
    auth.token()
    dict_lock = DictLockCache(sandbox_fetch(url))
    dict_lock.token()

    print("\n== fresh token() per call (best of 5, Python loop overhead included) ==")
    rows = {
        "empty Python call (floor)": empty_loop_ns(),
        "finauth PartnerAuth.token()": per_call_ns(auth.token),
        "finauth PartnerAuth.headers()": per_call_ns(auth.headers, n=300_000),
        "dict + threading.Lock cache": per_call_ns(dict_lock.token),
    }
    rows.update(mastercard_figures())
    for name, ns in rows.items():
        print(f"{name:60s} {ns / 1000:8.3f} µs   {1e9 / ns:14,.0f} calls/s")

    print("\n== herd on a cold cache (sandbox latency 100 ms): authentication requests ==")
    admin(url, "POST", "/__admin/config", {"latency_ms": 100})
    for callers in (20, 200):
        fresh = finauth.PartnerAuth(
            partner_id=PARTNER_ID, partner_secret=SECRET, app_key=APP_KEY, base_url=url, allow_insecure_loopback=True
        )
        n_fin, t_fin = herd(url, callers, fresh.token)
        naive = NaiveCache(sandbox_fetch(url))
        n_naive, t_naive = herd(url, callers, naive.token)
        print(f"{callers:4d} callers: finauth {n_fin:4d} request(s) in {t_fin:.2f} s;"
              f" naive cache {n_naive:4d} request(s) in {t_naive:.2f} s")
    admin(url, "POST", "/__admin/config", {"latency_ms": 0})

    print("\n== import and memory ==")
    times = import_time_us()
    print(f"python -X importtime -c 'import finauth': median {statistics.median(times) / 1000:.1f} ms "
          f"(min {min(times) / 1000:.1f} ms, {len(times)} runs)")
    base = rss_kib("pass")
    imported = rss_kib("import finauth")
    idle = rss_kib(
        "import finauth\n"
        f"a = finauth.PartnerAuth(partner_id={PARTNER_ID!r}, partner_secret={SECRET!r}, app_key={APP_KEY!r},"
        f" base_url={url!r}, allow_insecure_loopback=True)\na.token()\nimport time; time.sleep(0.2)"
    )
    print(f"RSS: bare python {base} KiB; after import finauth {imported} KiB (+{imported - base});"
          f" idle PartnerAuth holding a token {idle} KiB (+{idle - base})")


if __name__ == "__main__":
    main()
