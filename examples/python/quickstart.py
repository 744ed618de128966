"""finauth quickstart for Python: a token, the headers of a Finicity call, a real call through
``requests``, the same with asyncio + ``httpx``, and the counters.

Configured by environment variables (``FINICITY_PARTNER_ID``, ``FINICITY_PARTNER_SECRET``,
``FINICITY_APP_KEY``, ``FINICITY_BASE_URL``, ``FINAUTH_ALLOW_INSECURE_LOOPBACK=1`` for the local
sandbox). ``scripts/quickstart-python.sh`` starts the sandbox and runs this file.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import httpx
import requests

import finauth
from finauth.httpx import FinicityAuth as HttpxAuth
from finauth.requests import FinicityAuth as RequestsAuth


def sync_part(auth: finauth.PartnerAuth) -> None:
    """Threads: 50 concurrent callers, one authentication; then a call through requests."""
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda: tokens.append(auth.token())) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"50 threads got {len(set(tokens))} distinct token(s) of {len(tokens[0])} characters")
    print("headers:", sorted(auth.headers()))
    resp = requests.get(
        f"{auth.base_url.rstrip('/')}/aggregation/v1/customers", auth=RequestsAuth(auth), timeout=30
    )
    print("requests GET /aggregation/v1/customers ->", resp.status_code)


async def async_part(auth: finauth.AsyncPartnerAuth) -> None:
    """asyncio: 100 concurrent tasks share the cached token; then a call through httpx."""
    tokens = await asyncio.gather(*(auth.token() for _ in range(100)))
    print(f"100 asyncio tasks got {len(set(tokens))} distinct token(s)")
    async with httpx.AsyncClient(auth=HttpxAuth(auth), timeout=30) as client:
        resp = await client.get(f"{auth.base_url.rstrip('/')}/aggregation/v1/customers")
        print("httpx GET /aggregation/v1/customers ->", resp.status_code)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="  log %(name)s %(levelname)s: %(message)s")
    try:
        auth = finauth.PartnerAuth.from_env()
    except finauth.ConfigError as e:
        print(f"configuration: {e}")
        return 2
    print(auth)
    try:
        sync_part(auth)
        asyncio.run(async_part(auth.as_async()))
    except finauth.FinauthError as e:
        print(f"{type(e).__name__} ({e.kind}): {e}")
        return 1
    stats = auth.stats()
    print(f"authentications: {stats['auth_requests']}, cache hits: {stats['cache_hits']}")
    print("guard:", auth.guard_status())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
