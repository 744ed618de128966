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

from . import _finauth
from ._finauth import AsyncPartnerAuth, OAuth1Signer, PartnerAuth

__all__ = ["FinicityAuth", "OAuth1Auth"]

_TOKEN_HEADER = "Finicity-App-Token"


def _rejects_token(response: requests.Response) -> bool:
    if response.status_code not in (401, 500):
        return False
    return _finauth._rejects_token(
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
        if getattr(request, "_finauth_resent", False) or not _rejects_token(response):
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
