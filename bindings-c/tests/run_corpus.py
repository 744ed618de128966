"""Run every request-policy corpus case (core/tests/exchange-corpus) through the C and C++
clients (libcurl + finauth_exchange / finauth::Exchange) against one sandbox.

    python3 run_corpus.py SANDBOX_URL CLIENT [CLIENT ...]

For each case and client: script the sandbox's answers, run the client, then check its outcome,
what the sandbox received (requests, the token each carried, DPoP nonces, bodies), the token
requests, and whether a token call afterwards was refused (a lock stops every caller). Prints
one line per case and `N passed, N failed`; exits 1 on any failure. Standard library only.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "core" / "tests" / "exchange-corpus"
KEY = ROOT / "core" / "tests" / "oauth1-keys" / "ec.pem"


def admin(url: str, method: str, path: str, body: Optional[Any] = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


def token_requests(url: str, kind: str) -> int:
    stats = admin(url, "GET", "/__admin/stats")
    if kind == "finicity":
        return int(stats["partners"]["finauth-demo-partner"]["auth_requests"])
    return int(stats.get("oauth2", {}).get("finauth-demo-client", {}).get("token_requests", 0))


def token_of(headers: dict[str, str]) -> str:
    if "finicity-app-token" in headers:
        if headers.get("finicity-app-key") != "demo-app-key":
            raise AssertionError("the App Key was not sent")
        return headers["finicity-app-token"]
    return headers["authorization"].split(" ", 1)[1]


def nonce_of(headers: dict[str, str]) -> Optional[str]:
    payload = headers["dpop"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims.get("nonce")


def check(cond: bool, what: str) -> None:
    if not cond:
        raise AssertionError(what)


def run_case(url: str, client: str, case: dict[str, Any]) -> None:
    kind, expect = case["auth"], case["expect"]
    path = "/aggregation/v1/customers" if kind == "finicity" else "/oauth2/resource/accounts"
    admin(url, "POST", "/__admin/script", {"path_prefix": path, "answers": case["answers"]})
    before = token_requests(url, kind)
    env = dict(os.environ, FINAUTH_SANDBOX_URL=url, FINAUTH_TEST_EC_KEY=str(KEY))
    args = [client, kind, case.get("method", "GET"), url + path, case.get("body", "-"), str(case.get("requests", 1))]
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    check(out.returncode == 0, f"exit {out.returncode}: {out.stderr.strip()}")
    lines = out.stdout.split()
    results, after = lines[:-1], lines[-1]
    want = expect["result"]
    last = results[-1]
    check(last == (f"status={want['status']}" if "status" in want else f"error={want['error']}"), f"outcome {last}, expected {want}")

    received = admin(url, "GET", "/__admin/script")["received"]
    check(len(received) == expect["sent"], f"{len(received)} requests sent, expected {expect['sent']}")
    seen: dict[str, str] = {}
    for i, (r, label) in enumerate(zip(received, expect["tokens"])):
        token = token_of(r["headers"])
        if label in seen:
            check(seen[label] == token, f"request {i}: not token {label}")
        else:
            check(token not in seen.values(), f"request {i} reused a token")
            seen[label] = token
    for i, (r, nonce) in enumerate(zip(received, expect.get("nonces") or [])):
        if nonce is not None:
            check(nonce_of(r["headers"]) == nonce, f"request {i}: nonce")
    if expect.get("same_bodies"):
        check(bool(received[0]["body"]) and all(r["body"] == received[0]["body"] for r in received), "body resent whole")
    # The client's final token call may add one request, unless the case ends locked.
    spent = token_requests(url, kind) - before
    if expect["locked_after"]:
        check(after == "after=ACCOUNT_LOCKED", f"{after}: every caller must stop")
        check(spent == expect["token_requests"], f"{spent} token requests, expected {expect['token_requests']}")
    else:
        check(after == "after=OK", after)
        check(spent == expect["token_requests"], f"{spent} token requests, expected {expect['token_requests']}")


def main() -> int:
    url, clients = sys.argv[1], sys.argv[2:]
    cases = [json.loads(p.read_text()) for p in sorted(CORPUS.glob("*.json"))]
    passed = failed = 0
    for client in clients:
        for case in cases:
            name = f"{case['name']} via {Path(client).name}"
            try:
                run_case(url, client, case)
                passed += 1
                print(f"ok   {name}")
            except Exception as e:  # noqa: BLE001 - every failure is reported, then counted
                failed += 1
                print(f"FAIL {name}: {e}")
    admin(url, "DELETE", "/__admin/script")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
