"""finauth.openapi.attach on the API clients OpenAPI Generator made from sandbox/openapi.json
(scripts/openapi-clients.sh), for each library of the python generator: urllib3, asyncio
(aiohttp) and httpx. Every call is a generated operation, answered by the sandbox process.

A small forwarding proxy (``Tap``) sits in front of the sandbox where a test must see the header
lines as sent (the sandbox's own record keeps one value per header name) or must have N first
attempts in flight at once."""

from __future__ import annotations

import asyncio
import http.client
import importlib
import inspect
import json
import os
import sys
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Coroutine, Iterator, Optional

import pytest
import requests
from conftest import APP_KEY, PARTNER_ID, ROOT, SECRET, Sandbox, make_auth

import finauth
import finauth.openapi

OPENAPI = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
OPENAPI = (OPENAPI if OPENAPI.is_absolute() else ROOT / OPENAPI) / "openapi"
GENERATED = {
    "urllib3": ("python", "finicity_client"),
    "asyncio": ("python-asyncio", "finicity_client_asyncio"),
    "httpx": ("python-httpx", "finicity_client_httpx"),
}
OAUTH1_KEYS = ROOT / "core" / "tests" / "oauth1-keys"
ENCRYPTION_KEYS = ROOT / "core" / "tests" / "encryption-keys"
CK = "openapi-consumer-key"


@dataclass
class Lib:
    """One generated package and how to drive it."""

    name: str
    pkg: ModuleType
    configuration: Any
    is_async: bool

    def client(self, host: str, **config: Any) -> Any:
        return self.pkg.ApiClient(self.configuration(host=host, **config))

    def auth(self, sandbox: Sandbox, **kw: Any) -> Any:
        """The credential this library's clients use natively."""
        auth = make_auth(sandbox, **kw)
        return auth.as_async() if self.is_async else auth

    def other_auth(self, sandbox: Sandbox, **kw: Any) -> Any:
        """The other twin, which attach() must convert."""
        auth = make_auth(sandbox, **kw)
        return auth if self.is_async else auth.as_async()

    async def close(self, client: Any) -> None:
        if self.is_async:
            await client.close()


def _load(name: str) -> Lib:
    directory, package = GENERATED[name]
    path = OPENAPI / directory
    try:
        if not (path / package / "__init__.py").is_file():
            raise ImportError(f"{path / package} does not exist")
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
        pkg = importlib.import_module(package)
        # Not `pkg.Configuration`: the document's `Configuration` schema shadows it there.
        configuration = importlib.import_module(f"{package}.configuration").Configuration
    except ImportError as e:
        why = f"the generated {name} client is not usable ({e}): run bash scripts/openapi-clients.sh"
        if os.environ.get("FINAUTH_REQUIRE_OPENAPI") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return Lib(name, pkg, configuration, name != "urllib3")


@pytest.fixture(params=list(GENERATED))
def lib(request: pytest.FixtureRequest) -> Lib:
    return _load(request.param)


async def call(fn: Callable[[], Any]) -> Any:
    """One generated operation, sync or async."""
    result = fn()
    return await result if inspect.isawaitable(result) else result


async def concurrently(lib: Lib, fn: Callable[[], Any], n: int) -> list[Any]:
    """``n`` calls at once: tasks of one event loop, or ``n`` threads released together."""
    if lib.is_async:
        return list(await asyncio.gather(*(fn() for _ in range(n))))
    start = threading.Barrier(n, timeout=10)

    def together() -> Any:
        start.wait()
        return fn()

    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(n) as pool:
        return list(await asyncio.gather(*(loop.run_in_executor(pool, together) for _ in range(n))))


def run(body: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return asyncio.run(body())


class Tap:
    """A forwarding proxy in front of ``upstream``. It records each request's header lines as
    they arrived (letter case and repeats kept) and its body, and can hold the next ``n``
    requests until all ``n`` have arrived."""

    def __init__(self, upstream: str) -> None:
        up = urllib.parse.urlsplit(upstream)
        self.received: list[tuple[str, str, list[tuple[str, str]], bytes]] = []
        self._lock = threading.Lock()
        self._gate: Optional[threading.Barrier] = None
        self._held = 0
        tap = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                lines = list(self.headers.items())
                with tap._lock:
                    tap.received.append((self.command, self.path, lines, body))
                    gate = tap._gate if tap._held > 0 else None
                    tap._held = max(0, tap._held - 1)
                if gate is not None:
                    gate.wait()
                conn = http.client.HTTPConnection(up.hostname or "127.0.0.1", up.port, timeout=10)
                try:
                    # The Host line goes through unchanged: the OAuth 1.0a verifier rebuilds the
                    # signed URL from it.
                    conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for name, value in lines:
                        conn.putheader(name, value)
                    conn.endheaders(body or None)
                    resp = conn.getresponse()
                    data = resp.read()
                finally:
                    conn.close()
                self.send_response(resp.status)
                for name, value in resp.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = forward

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def hold(self, n: int) -> None:
        """Forward the next ``n`` requests only once all ``n`` are here."""
        with self._lock:
            self._gate = threading.Barrier(n, timeout=10)
            self._held = n

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def header_lines(lines: list[tuple[str, str]], name: str) -> list[str]:
    return [value for n, value in lines if n.lower() == name.lower()]


@pytest.fixture
def tap(sandbox: Sandbox) -> Iterator[Tap]:
    t = Tap(sandbox.url)
    yield t
    t.close()


@pytest.fixture
def verifier() -> Iterator[Sandbox]:
    """A sandbox whose OAuth 1.0a verifier knows CK's public key."""
    sb = Sandbox("--oauth1-key", f"{CK}:{OAUTH1_KEYS / 'public.pem'}")
    yield sb
    sb.stop()


def signer() -> finauth.OAuth1Signer:
    return finauth.OAuth1Signer(CK, finauth.load_pem(OAUTH1_KEYS / "pkcs8.pem"))


def counters(sandbox: Sandbox) -> tuple[int, int]:
    stats = sandbox.stats()
    return stats["auth_requests"], stats["resource_requests"]


def lock_partner_behind_finauths_back(sandbox: Sandbox) -> None:
    """Someone else's wrong secret locks the Partner ID at the server (threshold 1)."""
    sandbox.admin("POST", "/__admin/config", {"lockout_threshold": 1, "locked_status": 500})
    resp = requests.post(
        sandbox.url + "/aggregation/v2/partners/authentication",
        headers={"Finicity-App-Key": APP_KEY},
        json={"partnerId": PARTNER_ID, "partnerSecret": "NotTheSecret123"},
        timeout=10,
    )
    assert resp.status_code == 401


def test_200_concurrent_calls_on_a_cold_cache_authenticate_once(lib: Lib, sandbox: Sandbox) -> None:
    auth = lib.auth(sandbox)

    async def body() -> list[Any]:
        client = finauth.openapi.attach(lib.client(sandbox.url, connection_pool_maxsize=200), partner_auth=auth)
        api = lib.pkg.CustomersApi(client)
        try:
            return await concurrently(lib, lambda: api.get_customers(limit=2), 200)
        finally:
            await lib.close(client)

    pages = run(body)
    assert len(pages) == 200 and all(p.found == 5 and len(p.customers) == 2 for p in pages)
    stats = sandbox.stats()
    assert stats["auth_requests"] == 1
    assert stats["resource_requests"] == 200 and stats["resource_ok"] == 200


def test_an_expired_token_is_refreshed_once_and_each_call_resent_once(lib: Lib, sandbox: Sandbox, tap: Tap) -> None:
    calls = 20
    auth = lib.other_auth(sandbox)

    async def body() -> list[Any]:
        client = finauth.openapi.attach(lib.client(tap.url), partner_auth=auth)
        api = lib.pkg.CustomersApi(client)
        try:
            await call(lambda: api.get_customer("1005061234"))
            sandbox.expire_tokens()
            # Every first attempt carries the expired token: none is forwarded before all are sent.
            tap.hold(calls)
            return await concurrently(lib, lambda: api.get_customer("1005061234"), calls)
        finally:
            await lib.close(client)

    found = run(body)
    assert [c.username for c in found] == ["customerusername1"] * calls
    stats = sandbox.stats()
    assert stats["auth_requests"] == 2, "one refresh for every call that saw the expired token"
    assert stats["resource_requests"] == 1 + 2 * calls and stats["resource_rejected"] == calls
    assert auth.stats()["invalidations"] == 1


def test_24302_raises_account_locked_and_a_second_client_sharing_the_store_sends_nothing(
    lib: Lib, sandbox: Sandbox, tmp_path: Path
) -> None:
    store = finauth.FileStore(tmp_path)
    first, second = lib.auth(sandbox, store=store), lib.auth(sandbox, store=store)

    async def body() -> tuple[int, int]:
        a = finauth.openapi.attach(lib.client(sandbox.url), partner_auth=first)
        b = finauth.openapi.attach(lib.client(sandbox.url), partner_auth=second)
        try:
            assert (await call(lambda: lib.pkg.CustomersApi(a).get_customers())).found == 5
            lock_partner_behind_finauths_back(sandbox)
            with pytest.raises(finauth.AccountLockedError) as locked:
                await call(lambda: lib.pkg.CustomersApi(a).get_customers())
            assert locked.value.code == 24302
            before = counters(sandbox)
            with pytest.raises(finauth.AccountLockedError):
                await call(lambda: lib.pkg.AccountsApi(b).get_customer_accounts("1005061234"))
            return before
        finally:
            await lib.close(a)
            await lib.close(b)

    before = run(body)
    assert counters(sandbox) == before, "the second client stopped without a request"


def test_oauth1_signed_calls_sign_the_bytes_sent_and_verify(lib: Lib, verifier: Sandbox) -> None:
    tap = Tap(verifier.url)
    note = {"note": "café / 東京", "path": "/a/b?c=d&e=f"}

    async def body() -> tuple[Any, Any]:
        # The generated client puts Configuration.api_key["MastercardOAuth1"] in Authorization.
        client = lib.client(tap.url, api_key={"MastercardOAuth1": "OAuth stale"})
        finauth.openapi.attach(client, signer=signer())
        api = lib.pkg.SignedApi(client)
        try:
            posted = await call(lambda: api.post_signed_echo(lib.pkg.EchoNote(**note)))
            got = await call(api.get_signed_echo)
            return posted, got
        finally:
            await lib.close(client)

    try:
        posted, got = run(body)
    finally:
        tap.close()
    assert (posted.ok, posted.consumer_key, posted.method, posted.path) == (True, CK, "POST", "/oauth1/echo")
    assert (got.ok, got.method) == (True, "GET")
    assert verifier.admin("GET", "/__admin/stats")["oauth1"][CK] == {"accepted": 2, "rejected": 0}
    (_, _, post_lines, post_body), (_, _, get_lines, get_body) = tap.received
    # Serialised once: a second json.dumps would have sent a JSON string.
    assert json.loads(post_body) == note
    assert get_body == b""
    for lines in (post_lines, get_lines):
        [authorization] = header_lines(lines, "Authorization")
        assert authorization.startswith("OAuth ") and f'oauth_consumer_key="{CK}"' in authorization


def test_payload_encryption_through_the_generated_call_api(lib: Lib, verifier: Sandbox) -> None:
    """The OpenAPI document does not describe /encrypted; the ApiClient's own param_serialize and
    call_api reach it, the way generated operations do."""
    verifier.admin(
        "POST",
        "/__admin/encryption",
        {
            "decryptionKeyPem": (ENCRYPTION_KEYS / "client-encryption-key.pem").read_text(),
            "encryptionCertificatePem": (ENCRYPTION_KEYS / "client-encryption-cert.pem").read_text(),
            "options": {"decryptionPaths": {"$.encryptedCard.encryptedData": "$.card"}},
        },
    )
    encryption = finauth.PayloadEncryption(
        encryption_certificate=finauth.load_encryption_certificate(ENCRYPTION_KEYS / "client-encryption-cert.pem"),
        decryption_key=finauth.load_decryption_key(ENCRYPTION_KEYS / "client-encryption-key.p12", "keystorepassword"),
        encryption_paths={"$.card": "$.encryptedCard"},
        decryption_paths={"$.encryptedData": "$"},
    )
    tap = Tap(verifier.url)
    payload = {"card": {"pan": "5123450000000008"}, "amount": 10, "memo": "café / 東京"}

    async def body() -> Any:
        client = finauth.openapi.attach(lib.client(tap.url), signer=signer(), encryption=encryption)
        try:
            params = client.param_serialize(
                method="POST",
                resource_path="/encrypted/payments",
                query_params=[("x", "1")],
                header_params={"Content-Type": "application/json", "Accept": "application/json"},
                body=payload,
            )
            response = await call(lambda: client.call_api(*params))
            await call(response.read)
            return json.loads(response.data)
        finally:
            await lib.close(client)

    try:
        answer = run(body)
    finally:
        tap.close()
    assert answer["ok"] is True and answer["consumer_key"] == CK
    assert answer["received"] == payload
    [(_, path, _, sent)] = tap.received
    assert path == "/encrypted/payments?x=1" and b"5123450000000008" not in sent


def test_finicity_headers_are_sent_once_and_create_token_is_refused(lib: Lib, sandbox: Sandbox, tap: Tap) -> None:
    auth = lib.auth(sandbox)

    async def body() -> None:
        client = lib.client(tap.url, api_key={"FinicityAppKey": "stale-key", "FinicityAppToken": "stale-token"})
        # The same header again in another letter case, as default headers may hold it.
        client.set_default_header("finicity-app-token", "stale-lower")
        finauth.openapi.attach(client, partner_auth=auth)
        try:
            customer = await call(lambda: lib.pkg.CustomersApi(client).get_customer("1005061234"))
            assert customer.first_name == "John"
            before = (counters(sandbox), len(tap.received))
            with pytest.raises(finauth.ConfigError, match="token"):
                credentials = lib.pkg.PartnerCredentials(partner_id=PARTNER_ID, partner_secret=SECRET)
                await call(lambda: lib.pkg.AuthenticationApi(client).create_token(credentials))
            assert (counters(sandbox), len(tap.received)) == before, "create_token sent nothing"
        finally:
            await lib.close(client)

    run(body)
    [(_, _, lines, _)] = tap.received
    assert header_lines(lines, "Finicity-App-Key") == [APP_KEY]
    [token] = header_lines(lines, "Finicity-App-Token")
    assert not token.startswith("stale")
    assert sandbox.stats()["auth_requests"] == 1


def test_attaching_again_replaces_and_what_does_not_fit_is_refused(lib: Lib, sandbox: Sandbox) -> None:
    earlier, later = lib.auth(sandbox), lib.auth(sandbox)

    async def body() -> str:
        client = lib.client(sandbox.url)
        assert finauth.openapi.attach(client, partner_auth=earlier) is client
        finauth.openapi.attach(client, signer=signer())
        finauth.openapi.attach(client, partner_auth=later)
        try:
            assert (await call(lambda: lib.pkg.CustomersApi(client).get_customers())).found == 5
            with pytest.raises(finauth.ConfigError):
                finauth.openapi.attach(client)
            with pytest.raises(finauth.ConfigError):
                finauth.openapi.attach(client, partner_auth=later, signer=signer())
            with pytest.raises(TypeError):
                finauth.openapi.attach(client, partner_auth="not an auth")  # type: ignore[arg-type]
            pool = client.rest_client.pool_manager
            return repr(pool) + repr(getattr(pool, "auth", ""))
        finally:
            await lib.close(client)

    described = run(body)
    assert earlier.stats()["auth_requests"] == 0 and later.stats()["auth_requests"] == 1
    assert SECRET not in described
    with pytest.raises(finauth.ConfigError):
        finauth.openapi.attach(object(), partner_auth=later)


def test_asyncio_retries_from_the_configuration_sit_above_the_attachment(sandbox: Sandbox) -> None:
    """With Configuration.retries the asyncio client sends through aiohttp-retry, which must reach
    the attachment: each of its attempts is one logical request under the policy."""
    lib = _load("asyncio")
    auth = lib.auth(sandbox)

    async def body() -> Any:
        client = finauth.openapi.attach(lib.client(sandbox.url, retries=2), partner_auth=auth)
        try:
            await call(lambda: lib.pkg.CustomersApi(client).get_customers())
            sandbox.expire_tokens()
            return await call(lambda: lib.pkg.CustomersApi(client).get_customers())
        finally:
            await lib.close(client)

    assert run(body).found == 5
    stats = sandbox.stats()
    assert stats["auth_requests"] == 2 and stats["resource_requests"] == 3


def test_oauth2_client_credentials_resend_once_on_an_expired_token(lib: Lib, sandbox: Sandbox) -> None:
    """The OpenAPI document has no OAuth 2.0 operation; the ApiClient's own param_serialize and
    call_api reach the sandbox's OAuth 2.0 resource (DPoP-bound tokens)."""
    cc = finauth.ClientCredentials(
        token_url=sandbox.url + "/oauth2/token",
        client_id="finauth-demo-client",
        client_secret="demo-client-secret",
        signing_key=finauth.load_pem(OAUTH1_KEYS / "ec.pem"),
        dpop=True,
        allow_insecure_loopback=True,
    )

    async def body() -> list[Any]:
        client = finauth.openapi.attach(lib.client(sandbox.url), client_credentials=cc)
        params = client.param_serialize(method="GET", resource_path="/oauth2/resource/accounts")
        answers = []
        try:
            for _ in range(2):
                response = await call(lambda: client.call_api(*params))
                await call(response.read)
                answers.append((response.status, json.loads(response.data)))
                sandbox.admin("POST", "/__admin/oauth2/expire-tokens", {"client_id": "finauth-demo-client"})
        finally:
            await lib.close(client)
        return answers

    assert [status for status, _ in run(body)] == [200, 200]
    stats = sandbox.admin("GET", "/__admin/stats")["oauth2"]["finauth-demo-client"]
    assert stats["tokens_issued"] == 2 and stats["resource_requests"] == 3 and stats["resource_ok"] == 2
