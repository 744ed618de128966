"""A tiny WSGI app for the pre-fork test: gunicorn --preload imports it in the master, which makes
a PartnerAuth on a shared FileStore and fetches a token before forking the workers."""

from __future__ import annotations

import json
import os
import time
from typing import Callable, Iterable

import requests

import finauth
from finauth.requests import FinicityAuth

auth = finauth.PartnerAuth.from_env()
MASTER_TOKEN = auth.token()  # runtime and connections made in the master, before fork
session = requests.Session()
session.auth = FinicityAuth(auth)


def app(environ: dict[str, object], start_response: Callable[..., object]) -> Iterable[bytes]:
    """``/token``: the worker's token; ``/call``: a Finicity call (refreshes once if expired)."""
    path = environ.get("PATH_INFO")
    time.sleep(0.05)  # keep this worker busy so that the others take connections too
    if path == "/call":
        resp = session.get(auth.base_url.rstrip("/") + "/aggregation/v1/customers", timeout=10)
        body = {"status": resp.status_code, "resent": len(resp.history)}
    else:
        body = {"token_is_master_token": auth.token() == MASTER_TOKEN}
    body["pid"] = os.getpid()
    body["stats"] = auth.stats()
    data = json.dumps(body).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
