r"""``httpx`` integration: :class:`FinicityAuth` and :class:`OAuth1Auth`, ``httpx.Auth``\ s for sync and async clients.

    import httpx, finauth
    from finauth.httpx import FinicityAuth

    auth = finauth.AsyncPartnerAuth.from_env()
    async with httpx.AsyncClient(auth=FinicityAuth(auth)) as client:
        await client.get(f"{auth.base_url}/aggregation/v1/customers")

Each request gets the ``Finicity-App-Key`` and ``Finicity-App-Token`` headers. When the server
answers that the token is invalid or expired (Finicity code 10022 or 10023, HTTP 401 or 500), the
token is invalidated (one refresh, however many requests saw it) and the request is resent once;
a 24302 raises :class:`finauth.AccountLockedError`. Every rule is core's request policy (an
``Exchange``): these classes only move bytes.

:class:`OAuth1Auth` signs each request for Mastercard APIs (OAuth 1.0a, body hash of the body
as sent, over the full URL)::

    signer = finauth.OAuth1Signer("consumer-key", finauth.load_pkcs12("key.p12", "pw"))
    httpx.post(url, json={"a": 1}, auth=OAuth1Auth(signer))

Needs the ``httpx`` extra: ``pip install 'finauth[httpx]'``.
"""

from __future__ import annotations

from typing import AsyncGenerator, Generator, List, Optional, Tuple, Union

import anyio
import anyio.to_thread
import httpx

from ._finauth import (
    AsyncClientCredentials,
    AsyncPartnerAuth,
    ClientCredentials,
    MastercardAuth as _Mastercard,
    OAuth1Signer,
    PartnerAuth,
    PayloadEncryption,
)

__all__ = ["FinicityAuth", "OAuth1Auth", "MastercardAuth", "ClientCredentialsAuth"]

_Sync = Union[PartnerAuth, ClientCredentials]
_Async = Union[AsyncPartnerAuth, AsyncClientCredentials]


def _pairs(response: httpx.Response) -> List[Tuple[str, str]]:
    return list(response.headers.multi_items())


class _ExchangeAuth(httpx.Auth):
    """An ``httpx.Auth`` that is an I/O loop over core's request policy (an ``Exchange``): the
    headers, whether to resend and when to stop are decided in finauth's core."""

    def __init__(self, sync_auth: _Sync, async_auth: _Async) -> None:
        self.sync_auth = sync_auth
        self.async_auth = async_auth

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.sync_auth!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the headers of each attempt; resend while finauth's policy says so."""
        exchange = self.sync_auth.exchange(request.method, str(request.url))
        while True:
            request.headers.update(exchange.prepare())
            response = yield request
            status = response.status_code
            body = response.read() if exchange.wants_body(status) else b""
            if not exchange.observe(status, _pairs(response), body):
                return

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Set the headers of each attempt; resend while finauth's policy says so."""
        exchange = self.async_auth.exchange(request.method, str(request.url))
        while True:
            request.headers.update(await exchange.prepare())
            response = yield request
            status = response.status_code
            body = await response.aread() if exchange.wants_body(status) else b""
            if not await exchange.observe(status, _pairs(response), body):
                return


class FinicityAuth(_ExchangeAuth):
    """Authenticate ``httpx`` calls to Finicity.

    Takes a :class:`finauth.PartnerAuth` or a :class:`finauth.AsyncPartnerAuth`; both flows
    work with either (they share one token): ``httpx.Client`` uses the sync object,
    ``httpx.AsyncClient`` the async one, so the event loop is never blocked. A rejected token
    (10022/10023) is invalidated and the request resent once; a 24302 raises
    :class:`finauth.AccountLockedError` (on the resent answer too) and stops every caller sharing
    the store.
    """

    def __init__(self, auth: Union[PartnerAuth, AsyncPartnerAuth]) -> None:
        if isinstance(auth, AsyncPartnerAuth):
            super().__init__(auth.as_sync(), auth)
        else:
            super().__init__(auth, auth.as_async())


class OAuth1Auth(httpx.Auth):
    """Sign ``httpx`` calls (sync and async clients) to Mastercard APIs with a
    :class:`finauth.OAuth1Signer`.

    The body is read from the request as it will be sent (``requires_request_body``), so the
    body hash covers the exact bytes; the signature covers the method and the full URL. In an
    async client signing runs in a worker thread, so the event loop is never blocked.
    """

    requires_request_body = True

    def __init__(self, signer: OAuth1Signer) -> None:
        self.signer = signer

    def __repr__(self) -> str:
        return f"OAuth1Auth({self.signer!r})"

    def _sign(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = self.signer.authorization_header(
            request.method, str(request.url), request.content
        )

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the ``Authorization`` header."""
        self._sign(request)
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Set the ``Authorization`` header (signing off the event loop)."""
        await anyio.to_thread.run_sync(self._sign, request)
        yield request


class MastercardAuth(httpx.Auth):
    """Mastercard API calls (sync and async clients) with payload encryption and OAuth 1.0a, in
    core's order: the body is encrypted (``encryption``), then signed over the exact bytes sent
    (``signer``); the response body is decrypted before the caller reads it. In an async client
    the work runs in a worker thread.
    """

    requires_request_body = True
    requires_response_body = True

    def __init__(
        self, *, signer: Optional[OAuth1Signer] = None, encryption: Optional[PayloadEncryption] = None
    ) -> None:
        self.core = _Mastercard(signer=signer, encryption=encryption)

    def __repr__(self) -> str:
        return f"httpx.{self.core!r}"

    def _prepare(self, request: httpx.Request) -> None:
        body, headers, changed = self.core.prepare(request.method, str(request.url), request.content)
        if changed:
            request.stream = httpx.ByteStream(body)
            request._content = body  # what `request.content` answers from now on
            request.headers["Content-Length"] = str(len(body))
        for name, value in headers.items():
            request.headers[name] = value

    def _decrypt(self, response: httpx.Response) -> None:
        clear = self.core.response(response.content, dict(response.headers))
        if clear != response.content:
            # httpx keeps the read body in `_content`; replacing it is how an auth rewrites it.
            response._content = clear
            response.headers["Content-Length"] = str(len(clear))

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Encrypt and sign the request; decrypt the response."""
        request.read()
        self._prepare(request)
        response = yield request
        response.read()
        self._decrypt(response)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """The same, with the crypto off the event loop."""
        await request.aread()
        await anyio.to_thread.run_sync(self._prepare, request)
        response = yield request
        await response.aread()
        await anyio.to_thread.run_sync(self._decrypt, response)


class ClientCredentialsAuth(_ExchangeAuth):
    """Authenticate ``httpx`` calls (sync and async clients) with OAuth 2.0 client credentials.

    Takes a :class:`finauth.ClientCredentials` or :class:`finauth.AsyncClientCredentials`.
    Each request gets ``Authorization`` and, for DPoP-bound tokens, a fresh ``DPoP`` proof for its
    method and URL; every ``DPoP-Nonce`` is remembered. A 401 asking for a nonce is resent once
    with it; any other 401 invalidates the token and the request is resent once.
    """

    def __init__(self, auth: Union[ClientCredentials, AsyncClientCredentials]) -> None:
        if isinstance(auth, AsyncClientCredentials):
            super().__init__(auth.as_sync(), auth)
        else:
            super().__init__(auth, auth.as_async())
