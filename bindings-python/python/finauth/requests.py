r"""``requests`` integration: :class:`FinicityAuth` and :class:`OAuth1Auth`, ``requests.auth.AuthBase``\ s.

    import requests, finauth
    from finauth.requests import FinicityAuth

    auth = finauth.PartnerAuth.from_env()
    session = requests.Session()
    session.auth = FinicityAuth(auth)
    session.get(f"{auth.base_url}/aggregation/v1/customers")

Each request gets the ``Finicity-App-Key`` and ``Finicity-App-Token`` headers. When the server
answers that the token is invalid or expired (Finicity code 10022 or 10023, HTTP 401 or 500), the
token is invalidated (one refresh, however many requests saw it) and the request is resent once.
A 24302 answer (Partner ID locked; the resent answer too) raises
:class:`finauth.AccountLockedError` and is recorded in the store, so every caller and process
sharing it stops at once. Every rule is core's request policy (an ``Exchange``): these classes
only move bytes.

:class:`MastercardAuth` adds Mastercard payload encryption: the body is encrypted, then signed
over the bytes sent, and the answer decrypted (``MastercardAuth(signer=…, encryption=…)``).

:class:`OAuth1Auth` signs each request for Mastercard APIs (OAuth 1.0a, body hash of the exact
prepared body bytes, over the full URL)::

    signer = finauth.OAuth1Signer("consumer-key", finauth.load_pkcs12("key.p12", "pw"))
    requests.post(url, json={"a": 1}, auth=OAuth1Auth(signer))

Needs the ``requests`` extra: ``pip install 'finauth[requests]'``.
"""

from __future__ import annotations

from typing import Any, Optional, Union

import requests
import requests.auth

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

_Exchanging = Union[PartnerAuth, ClientCredentials]


class _ExchangeAuth(requests.auth.AuthBase):
    """A ``requests`` auth that is an I/O loop over core's request policy (an ``Exchange``): the
    headers, whether to resend and when to stop are decided in finauth's core."""

    def __init__(self, auth: _Exchanging) -> None:
        self.auth = auth

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.auth!r})"

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        """Set the headers of the first attempt on ``r`` and watch its response."""
        exchange = self.auth.exchange(r.method or "GET", r.url or "")
        r.headers.update(exchange.prepare())
        setattr(r, "_finauth_exchange", exchange)
        r.register_hook("response", self._on_response)  # type: ignore[no-untyped-call]
        return r

    def _on_response(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        exchange = getattr(response.request, "_finauth_exchange", None)
        if exchange is None:
            return response
        history = []
        while True:
            status = response.status_code
            body = (response.content or b"") if exchange.wants_body(status) else b""
            if not exchange.observe(status, list(response.headers.items()), body):
                break
            connection = getattr(response, "connection", None)
            if connection is None:
                break
            retry = response.request.copy()
            retry.headers.update(exchange.prepare())
            response.content  # read the body so the connection can be reused
            response.close()
            history.append(response)
            response = connection.send(retry, **kwargs)
            response.request = retry
        response.history[:0] = history
        return response


class FinicityAuth(_ExchangeAuth):
    """Authenticate ``requests`` calls to Finicity with a :class:`finauth.PartnerAuth`.

    An :class:`finauth.AsyncPartnerAuth` is accepted too (its sync twin is used).
    """

    def __init__(self, auth: Union[PartnerAuth, AsyncPartnerAuth]) -> None:
        super().__init__(auth.as_sync() if isinstance(auth, AsyncPartnerAuth) else auth)


class OAuth1Auth(requests.auth.AuthBase):
    """Sign ``requests`` calls to Mastercard APIs with a :class:`finauth.OAuth1Signer`.

    The ``Authorization`` header covers the prepared request's method, full URL and exact body
    bytes (a ``str`` body is hashed as UTF-8). Streamed bodies (generators, files) cannot be
    hashed before they are sent and raise ``ValueError``.
    """

    def __init__(self, signer: OAuth1Signer) -> None:
        self.signer = signer

    def __repr__(self) -> str:
        return f"OAuth1Auth({self.signer!r})"

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        """Set the ``Authorization`` header on ``r``."""
        body = r.body
        if body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode("utf-8")
        elif isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        else:
            raise ValueError("OAuth1Auth: a streamed request body cannot be signed; pass bytes")
        r.headers["Authorization"] = self.signer.authorization_header(
            r.method or "GET", r.url or "", data
        )
        return r


def _body_bytes(body: Any, who: str) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    raise ValueError(f"{who}: a streamed request body cannot be signed or encrypted; pass bytes")


class MastercardAuth(requests.auth.AuthBase):
    """Mastercard API calls with payload encryption and OAuth 1.0a, in core's order: the body is
    encrypted (``encryption``, a :class:`finauth.PayloadEncryption`), then signed over the exact
    bytes sent (``signer``); the response body is decrypted before ``response.json()`` sees it.
    Either may be ``None``. Streamed bodies raise ``ValueError``.
    """

    def __init__(
        self, *, signer: Optional[OAuth1Signer] = None, encryption: Optional[PayloadEncryption] = None
    ) -> None:
        self.core = _Mastercard(signer=signer, encryption=encryption)

    def __repr__(self) -> str:
        return f"requests.{self.core!r}"

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        """Encrypt and sign ``r``; decrypt its response."""
        body, headers, changed = self.core.prepare(r.method or "GET", r.url or "", _body_bytes(r.body, "MastercardAuth"))
        if changed:
            r.body = body
            r.headers["Content-Length"] = str(len(body))
        for name, value in headers.items():
            r.headers[name] = value
        r.register_hook("response", self._decrypt)  # type: ignore[no-untyped-call]
        return r

    def _decrypt(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        # `requests` keeps the body in `_content`; replacing it is how a hook rewrites a body.
        response._content = self.core.response(response.content, dict(response.headers))
        return response


class ClientCredentialsAuth(_ExchangeAuth):
    """Authenticate ``requests`` calls with an OAuth 2.0 :class:`finauth.ClientCredentials`.

    Each request gets ``Authorization: Bearer …`` or, for DPoP-bound tokens, ``Authorization:
    DPoP …`` and a fresh ``DPoP`` proof for its method and URL. Every ``DPoP-Nonce`` a server
    sends is remembered. A 401 asking for a nonce (``use_dpop_nonce``) is resent once with it;
    any other 401 invalidates the token (one refresh however many requests saw it) and the
    request is resent once.
    """

    def __init__(self, auth: Union[ClientCredentials, AsyncClientCredentials]) -> None:
        super().__init__(auth.as_sync() if isinstance(auth, AsyncClientCredentials) else auth)
