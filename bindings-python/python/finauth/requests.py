"""``requests`` integration: :class:`FinicityAuth`, a ``requests.auth.AuthBase``.

    import requests, finauth
    from finauth.requests import FinicityAuth

    auth = finauth.PartnerAuth.from_env()
    session = requests.Session()
    session.auth = FinicityAuth(auth)
    session.get(f"{auth.base_url}/aggregation/v1/customers")

Each request gets the ``Finicity-App-Key`` and ``Finicity-App-Token`` headers. When the server
answers that the token is invalid or expired (HTTP 401 with Finicity code 10022 or 10023), the
token is invalidated (one refresh, however many requests saw it) and the request is resent once.
Needs the ``requests`` extra: ``pip install 'finauth[requests]'``.
"""

from __future__ import annotations

from typing import Any, Union

import requests
import requests.auth

from . import _finauth
from ._finauth import AsyncPartnerAuth, PartnerAuth

__all__ = ["FinicityAuth"]

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
