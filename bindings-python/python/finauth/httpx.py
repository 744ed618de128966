"""``httpx`` integration: :class:`FinicityAuth` and :class:`OAuth1Auth`, ``httpx.Auth``\ s for sync and async clients.

    import httpx, finauth
    from finauth.httpx import FinicityAuth

    auth = finauth.AsyncPartnerAuth.from_env()
    async with httpx.AsyncClient(auth=FinicityAuth(auth)) as client:
        await client.get(f"{auth.base_url}/aggregation/v1/customers")

Each request gets the ``Finicity-App-Key`` and ``Finicity-App-Token`` headers. When the server
answers that the token is invalid or expired (HTTP 401 with Finicity code 10022 or 10023), the
token is invalidated (one refresh, however many requests saw it) and the request is resent once.

:class:`OAuth1Auth` signs each request for Mastercard APIs (OAuth 1.0a, body hash of the body
as sent, over the full URL)::

    signer = finauth.OAuth1Signer("consumer-key", finauth.load_pkcs12("key.p12", "pw"))
    httpx.post(url, json={"a": 1}, auth=OAuth1Auth(signer))

Needs the ``httpx`` extra: ``pip install 'finauth[httpx]'``.
"""

from __future__ import annotations

from typing import AsyncGenerator, Generator, Tuple, Union

import anyio
import anyio.to_thread
import httpx

from ._finauth import (
    AsyncClientCredentials,
    AsyncPartnerAuth,
    ClientCredentials,
    OAuth1Signer,
    PartnerAuth,
)

__all__ = ["FinicityAuth", "OAuth1Auth", "ClientCredentialsAuth"]

_TOKEN_HEADER = "Finicity-App-Token"


def _answer(response: httpx.Response) -> Tuple[int, str, bytes]:
    return response.status_code, response.headers.get("Content-Type", ""), response.content


class FinicityAuth(httpx.Auth):
    """Authenticate ``httpx`` calls to Finicity.

    Takes a :class:`finauth.PartnerAuth` or a :class:`finauth.AsyncPartnerAuth`; both flows
    work with either (they share one token): ``httpx.Client`` uses the sync object,
    ``httpx.AsyncClient`` the async one, so the event loop is never blocked.
    """

    def __init__(self, auth: Union[PartnerAuth, AsyncPartnerAuth]) -> None:
        if isinstance(auth, AsyncPartnerAuth):
            self.async_auth: AsyncPartnerAuth = auth
            self.sync_auth: PartnerAuth = auth.as_sync()
        else:
            self.sync_auth = auth
            self.async_auth = auth.as_async()

    def __repr__(self) -> str:
        return f"FinicityAuth({self.sync_auth!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the headers; on a rejected token invalidate it and resend once."""
        headers = self.sync_auth.headers()
        request.headers.update(headers)
        response = yield request
        if response.status_code < 400:
            return
        response.read()
        if self.sync_auth.observe_response(*_answer(response)):
            self.sync_auth.invalidate(headers[_TOKEN_HEADER])
            request.headers.update(self.sync_auth.headers())
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Set the headers; on a rejected token invalidate it and resend once."""
        headers = await self.async_auth.headers()
        request.headers.update(headers)
        response = yield request
        if response.status_code < 400:
            return
        await response.aread()
        if await self.async_auth.observe_response(*_answer(response)):
            await self.async_auth.invalidate(headers[_TOKEN_HEADER])
            request.headers.update(await self.async_auth.headers())
            yield request


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


def _asks_for_nonce(response: httpx.Response) -> bool:
    return response.status_code == 401 and "use_dpop_nonce" in response.headers.get(
        "WWW-Authenticate", ""
    )


class ClientCredentialsAuth(httpx.Auth):
    """Authenticate ``httpx`` calls (sync and async clients) with OAuth 2.0 client credentials.

    Takes a :class:`finauth.ClientCredentials` or :class:`finauth.AsyncClientCredentials`.
    Each request gets ``Authorization`` and, for DPoP-bound tokens, a fresh ``DPoP`` proof for its
    method and URL; every ``DPoP-Nonce`` is remembered. A 401 asking for a nonce is resent once
    with it; any other 401 invalidates the token and the request is resent once.
    """

    def __init__(self, auth: Union[ClientCredentials, AsyncClientCredentials]) -> None:
        if isinstance(auth, AsyncClientCredentials):
            self.async_auth: AsyncClientCredentials = auth
            self.sync_auth: ClientCredentials = auth.as_sync()
        else:
            self.sync_auth = auth
            self.async_auth = auth.as_async()

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth({self.sync_auth!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the headers; retry once per nonce challenge and once per rejected token."""
        url = str(request.url)
        nonce_retry = token_retry = False
        while True:
            headers = self.sync_auth.headers(request.method, url)
            request.headers.update(headers)
            response = yield request
            self.sync_auth.learn_nonce(url, dict(response.headers))
            if response.status_code != 401:
                return
            response.read()
            if _asks_for_nonce(response):
                if nonce_retry:
                    return
                nonce_retry = True
            else:
                if token_retry:
                    return
                token_retry = True
                self.sync_auth.invalidate(headers["Authorization"].split(" ", 1)[-1])

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Set the headers; retry once per nonce challenge and once per rejected token."""
        url = str(request.url)
        nonce_retry = token_retry = False
        while True:
            headers = await self.async_auth.headers(request.method, url)
            request.headers.update(headers)
            response = yield request
            self.async_auth.learn_nonce(url, dict(response.headers))
            if response.status_code != 401:
                return
            await response.aread()
            if _asks_for_nonce(response):
                if nonce_retry:
                    return
                nonce_retry = True
            else:
                if token_retry:
                    return
                token_retry = True
                await self.async_auth.invalidate(headers["Authorization"].split(" ", 1)[-1])
