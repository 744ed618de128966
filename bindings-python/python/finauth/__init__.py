"""finauth: Finicity partner authentication done right, from one Rust core.

* :class:`PartnerAuth` (threads, sync code; every wait releases the GIL) and
  :class:`AsyncPartnerAuth` (asyncio): one token per Partner ID, refreshed before it expires,
  one authentication for any number of concurrent callers, a lockout guard that stops before
  Finicity locks the Partner ID, Modify Partner Secret, App Key rotation.
* :class:`MemoryStore` (default), :class:`FileStore` (shared by every process on the host,
  e.g. gunicorn workers) and :class:`RedisStore` (shared by every host of a fleet).
* Exceptions under :class:`FinauthError`, with their fields as attributes.
* ``finauth.requests.FinicityAuth`` and ``finauth.httpx.FinicityAuth``: set the headers and,
  when a call is rejected for an invalid or expired token, refresh once and resend.
* Mastercard OAuth 1.0a signing: :class:`OAuth1Signer` with keys from :func:`load_pkcs12` or
  :func:`load_pem`, and ``finauth.requests.OAuth1Auth`` / ``finauth.httpx.OAuth1Auth``.

* OAuth 2.0 client credentials: :class:`ClientCredentials` and :class:`AsyncClientCredentials`
  (``client_secret_basic``/``_post``, ``private_key_jwt``, Finicity's JSON style; DPoP-bound tokens
  for Mastercard's FAPI 2.0 profile), with ``finauth.requests.ClientCredentialsAuth`` and
  ``finauth.httpx.ClientCredentialsAuth``.

Log records of the core go to the ``logging`` logger ``"finauth"``; they never hold a secret.
"""

from __future__ import annotations

import os as _os

from . import _finauth
from ._errors import (
    AccountLockedError,
    ConfigError,
    EncryptionError,
    FinauthError,
    InvalidCredentialsError,
    LockoutGuardError,
    RateLimitedError,
    ServerError,
    SigningKeyError,
    StoreError,
    TimeoutError,
    TransportError,
    UnauthorizedError,
)
from ._finauth import (
    AsyncClientCredentials,
    AsyncExchange,
    AsyncPartnerAuth,
    ClientCredentials,
    DecryptionKey,
    EncryptionCertificate,
    Exchange,
    FileStore,
    MastercardAuth,
    MemoryStore,
    OAuth1Signer,
    PartnerAuth,
    PayloadEncryption,
    RedisStore,
    SigningKey,
    load_decryption_key,
    load_encryption_certificate,
    load_pem,
    load_pkcs12,
)

__version__: str = _finauth.__version__

__all__ = [
    "PartnerAuth",
    "AsyncPartnerAuth",
    "Exchange",
    "AsyncExchange",
    "ClientCredentials",
    "AsyncClientCredentials",
    "MemoryStore",
    "FileStore",
    "RedisStore",
    "OAuth1Signer",
    "SigningKey",
    "load_pkcs12",
    "load_pem",
    "PayloadEncryption",
    "MastercardAuth",
    "EncryptionCertificate",
    "DecryptionKey",
    "load_encryption_certificate",
    "load_decryption_key",
    "FinauthError",
    "ConfigError",
    "InvalidCredentialsError",
    "AccountLockedError",
    "LockoutGuardError",
    "RateLimitedError",
    "UnauthorizedError",
    "ServerError",
    "TransportError",
    "TimeoutError",
    "StoreError",
    "SigningKeyError",
    "EncryptionError",
    "__version__",
]

# The extension also registers a pthread_atfork hook; this covers forks Python makes itself.
if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_finauth._after_fork_in_child)
