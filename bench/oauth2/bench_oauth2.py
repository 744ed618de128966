"""OAuth 2.0 token requests on a cold cache: finauth (Python) vs Mastercard's official client
(mastercard-oauth2-client) vs a plain `requests` loop, all over HTTPS against the sandbox
(`finauth-sandbox --tls`), FAPI 2.0 profile (private_key_jwt + DPoP) for the two clients.
Prints figures; asserts nothing.

usage: bench_oauth2.py SANDBOX_URL CERT_PEM KEY_PEM
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from typing import Any, Callable

import requests

import finauth
from finauth.requests import ClientCredentialsAuth

URL, CERT, KEY = sys.argv[1], sys.argv[2], sys.argv[3]
TOKEN_URL = URL + "/oauth2/token"
RESOURCE = URL + "/oauth2/resource/accounts"
CLIENT = "bench-client"
ROUNDS = 3

http = requests.Session()
http.verify = CERT


def admin(method: str, path: str, body: Any = None) -> Any:
    r = http.request(method, URL + path, json=body, timeout=10)
    r.raise_for_status()
    return r.json() if r.content else None


def token_requests() -> int:
    return int(admin("GET", "/__admin/stats")["oauth2"].get(CLIENT, {}).get("token_requests", 0))


key = finauth.load_pem(KEY)
admin("POST", "/__admin/oauth2/clients", {"client_id": CLIENT, "client_secret": "bench-secret", "jwk": json.loads(key.public_jwk())})


def herd(n: int, make: Callable[[], Callable[[], None]]) -> tuple[float, int]:
    """n threads released together, each making one call; wall time and token requests."""
    call = make()
    barrier = threading.Barrier(n + 1)
    errors: list[BaseException] = []

    def member() -> None:
        barrier.wait()
        try:
            call()
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=member) for _ in range(n)]
    for t in threads:
        t.start()
    before = token_requests()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} callers failed: {errors[0]!r}")
    return elapsed, token_requests() - before


def finauth_callers() -> Callable[[], None]:
    cc = finauth.ClientCredentials(
        token_url=TOKEN_URL, client_id=CLIENT, auth_method="private_key_jwt", signing_key=key,
        key_id="k1", dpop=True, scope="read",
    )
    auth = ClientCredentialsAuth(cc)
    local = threading.local()

    def call() -> None:
        s = getattr(local, "s", None) or requests.Session()
        local.s = s
        s.verify = CERT
        r = s.get(RESOURCE, auth=auth, timeout=30)
        assert r.status_code == 200, r.status_code

    return call


def mastercard_callers() -> Callable[[], None]:
    import mastercard_oauth2_client as mc
    from mastercard_oauth2_client.integrations.requests import OAuth2Session

    config = mc.OAuth2Config(
        client_id=CLIENT, token_endpoint=TOKEN_URL, issuer=URL,
        client_key=mc.load_private_key(KEY), key_id="k1",
        scope_resolver=mc.StaticScopeResolver({"read"}),
        dpop_key_provider=mc.StaticDPoPKeyProvider(mc.generate_ec_key_pair()),
    )
    local = threading.local()

    def call() -> None:
        s = getattr(local, "s", None)
        if s is None:
            s = OAuth2Session(config)
            s.verify = CERT
            local.s = s
        r = s.get(RESOURCE, timeout=30)
        assert r.status_code == 200, r.status_code

    call.config = config  # type: ignore[attr-defined]
    return call


def plain_callers() -> Callable[[], None]:
    def call() -> None:
        r = requests.post(TOKEN_URL, data={"grant_type": "client_credentials", "scope": "read"},
                          auth=(CLIENT, "bench-secret"), verify=CERT, timeout=30)
        assert r.status_code == 200, r.status_code
        t = r.json()["access_token"]
        r = requests.get(RESOURCE, headers={"Authorization": f"Bearer {t}"}, verify=CERT, timeout=30)
        assert r.status_code == 200, r.status_code

    return call


def have_mastercard() -> bool:
    try:
        import mastercard_oauth2_client  # noqa: F401
    except ImportError:
        return False
    return True


print(f"finauth {finauth.__version__}; sandbox {URL} (HTTPS, self-signed certificate)")
print(f"each caller: one GET of a DPoP-protected resource (plain: client_secret_basic + Bearer); median of {ROUNDS} cold rounds")
print(f"{'callers':>7}  {'client':<26} {'wall ms':>9} {'token requests':>15}")
contenders: list[tuple[str, Callable[[], Callable[[], None]]]] = [("finauth", finauth_callers)]
if have_mastercard():
    contenders.append(("mastercard-oauth2-client", mastercard_callers))
contenders.append(("plain requests loop", plain_callers))
for n in (20, 200):
    for name, make in contenders:
        runs = [herd(n, make) for _ in range(ROUNDS)]
        wall = statistics.median(r[0] for r in runs) * 1000
        reqs = statistics.median(r[1] for r in runs)
        print(f"{n:>7}  {name:<26} {wall:>9.1f} {reqs:>15.0f}")

# Fresh cost: a warm finauth token() vs the official client's token store get().
cc = finauth.ClientCredentials(
    token_url=TOKEN_URL, client_id=CLIENT, auth_method="private_key_jwt", signing_key=key,
    key_id="k1", dpop=True, scope="read",
)
cc.token()
N = 200_000
start = time.perf_counter()
for _ in range(N):
    cc.token()
fin_ns = (time.perf_counter() - start) / N * 1e9
print(f"\nfresh token(): finauth {fin_ns:.0f} ns/call")
if have_mastercard():
    from mastercard_oauth2_client._internal.orchestration import token_filter

    call = mastercard_callers()
    call()
    config = call.config  # type: ignore[attr-defined]
    dpop_key = config.dpop_key_provider.get_current_key()
    flt = token_filter(frozenset({"read"}), dpop_key)
    assert config.token_store.get(flt) is not None
    start = time.perf_counter()
    for _ in range(N):
        config.token_store.get(flt)
    mc_ns = (time.perf_counter() - start) / N * 1e9
    start = time.perf_counter()
    for _ in range(N // 10):
        config.token_store.get(token_filter(frozenset({"read"}), config.dpop_key_provider.get_current_key()))
    mc_full_ns = (time.perf_counter() - start) / (N // 10) * 1e9
    print(f"mastercard-oauth2-client InMemoryTokenStore.get (filter prebuilt) {mc_ns:.0f} ns/call "
          f"(ratio {mc_ns / fin_ns:.2f}x finauth)")
    print(f"mastercard-oauth2-client get with its per-request filter (JWK thumbprint) {mc_full_ns:.0f} ns/call "
          f"(ratio {mc_full_ns / fin_ns:.2f}x finauth)")
