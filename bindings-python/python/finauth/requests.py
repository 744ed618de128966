"""``requests`` integration: :class:`FinicityAuth` and :class:`OAuth1Auth`, ``requests.auth.AuthBase``\ s.

    import requests, finauth
    from finauth.requests import FinicityAuth

    auth = finauth.PartnerAuth.from_env()
    session = requests.Session()
    session.auth = FinicityAuth(auth)
    session.get(f"{auth.base_url}/aggregation/v1/customers")

Each request gets the ``Finicity-App-Key`` and ``Finicity-App-Token`` headers. When the server
answers that the token is invalid or expired (HTTP 401 with Finicity code 10022 or 10023), the
token is invalidated (one refresh, however many requests saw it) and the request is resent once.
A 24302 answer (Partner ID locked) raises :class:`finauth.AccountLockedError` and is recorded in the
store, so every caller and process sharing it stops at once.

:class:`OAuth1Auth` signs each request for Mastercard APIs (OAuth 1.0a, body hash of the exact
prepared body bytes, over the full URL)::

    signer = finauth.OAuth1Signer("consumer-key", finauth.load_pkcs12("key.p12", "pw"))
    requests.post(url, json={"a": 1}, auth=OAuth1Auth(signer))

Needs the ``requests`` extra: ``pip install 'finauth[requests]'``.
"""

from __future__ import annotations

from typing import Any, Union

import requests
import requests.auth

from ._finauth import (
    AsyncClientCredentials,
    AsyncPartnerAuth,
    ClientCredentials,
    OAuth1Signer,
    PartnerAuth,
)

__all__ = ["FinicityAuth", "OAuth1Auth", "ClientCredentialsAuth"]

_TOKEN_HEADER = "Finicity-App-Token"


def _resend(auth: PartnerAuth, response: requests.Response) -> bool:
    """True to invalidate and resend; raises AccountLockedError on 24302 (recorded for every caller)."""
    if response.status_code < 400:
        return False
    return auth.observe_response(
        response.status_code,
        response.headers.get("Content-Type", ""),
        response.content or b"",
    )


class FinicityAuth(requests.auth.AuthBase):
    """Authenticate ``requests`` calls to Finicity with a :class:`finauth.PartnerAuth`.

    An :class:`finauth.AsyncPartnerAuth` is accepted too (its sync twin is used).
    """

    def __init__(self, auth: Union[PartnerAuth, AsyncPartnerAuth]) -> None:
        self.auth: PartnerAuth = auth.as_sync() if isinstance(auth, AsyncPartnerAuth) else auth

    def __repr__(self) -> str:
        return f"FinicityAuth({self.auth!r})"

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        """Set the Finicity headers on ``r`` and watch its response for a rejected token."""
        r.headers.update(self.auth.headers())
        r.register_hook("response", self._on_response)  # type: ignore[no-untyped-call]
        return r

    def _on_response(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        request = response.request
        if not _resend(self.auth, response) or getattr(request, "_finauth_resent", False):
            return response
        sent = request.headers.get(_TOKEN_HEADER)
        if sent is not None:
            self.auth.invalidate(str(sent))
        retry = request.copy()
        retry.headers.update(self.auth.headers())
        setattr(retry, "_finauth_resent", True)
        response.content  # read the body so the connection can be reused
        response.close()
        connection = getattr(response, "connection", None)
        if connection is None:
            return response
        resent: requests.Response = connection.send(retry, **kwargs)
        resent.history.append(response)
        resent.request = retry
        return resent


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


def _asks_for_nonce(response: requests.Response) -> bool:
    return response.status_code == 401 and "use_dpop_nonce" in response.headers.get(
        "WWW-Authenticate", ""
    )


class ClientCredentialsAuth(requests.auth.AuthBase):
    """Authenticate ``requests`` calls with an OAuth 2.0 :class:`finauth.ClientCredentials`.

    Each request gets ``Authorization: Bearer …`` or, for DPoP-bound tokens, ``Authorization:
    DPoP …`` and a fresh ``DPoP`` proof for its method and URL. Every ``DPoP-Nonce`` a server
    sends is remembered. A 401 asking for a nonce (``use_dpop_nonce``) is resent once with it;
    any other 401 invalidates the token (one refresh however many requests saw it) and the
    request is resent once.
    """

    def __init__(self, auth: Union[ClientCredentials, AsyncClientCredentials]) -> None:
        self.auth: ClientCredentials = (
            auth.as_sync() if isinstance(auth, AsyncClientCredentials) else auth
        )

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth({self.auth!r})"

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        """Set the headers on ``r`` and watch its response."""
        r.headers.update(self.auth.headers(r.method or "GET", r.url or ""))
        r.register_hook("response", self._on_response)  # type: ignore[no-untyped-call]
        return r

    def _on_response(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        request = response.request
        url = request.url or ""
        self.auth.learn_nonce(url, dict(response.headers))
        if response.status_code != 401 or getattr(request, "_finauth_resent", 0) >= 2:
            return response
        if _asks_for_nonce(response):
            if getattr(request, "_finauth_nonce_retry", False):
                return response
            flag = "_finauth_nonce_retry"
        else:
            if getattr(request, "_finauth_token_retry", False):
                return response
            sent = str(request.headers.get("Authorization", ""))
            self.auth.invalidate(sent.split(" ", 1)[-1])
            flag = "_finauth_token_retry"
        retry = request.copy()
        for name in ("_finauth_nonce_retry", "_finauth_token_retry"):
            setattr(retry, name, getattr(request, name, False))
        setattr(retry, flag, True)
        setattr(retry, "_finauth_resent", getattr(request, "_finauth_resent", 0) + 1)
        retry.headers.update(self.auth.headers(retry.method or "GET", url))
        response.content  # read the body so the connection can be reused
        response.close()
        connection = getattr(response, "connection", None)
        if connection is None:
            return response
        resent: requests.Response = connection.send(retry, **kwargs)
        resent.history.append(response)
        resent.request = retry
        # The resent response runs through this hook again (a second, different retry).
        return self._on_response(resent, **kwargs)
