"""The exception classes of finauth. ``finauth._finauth`` raises them (see ``src/errors.rs``).

Every class derives from :class:`FinauthError` and carries the error's fields as attributes
(``None`` when they do not apply). Messages never contain a secret, an App Key or a token.
"""

from __future__ import annotations

import builtins

TYPE_CHECKING = False
if TYPE_CHECKING:  # `typing` costs ~9 ms to import: keep it out of `import finauth`
    from typing import Any, Optional

__all__ = [
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
]


class FinauthError(Exception):
    """Base class of every finauth error.

    Attributes:
        kind: the stable kind name shared by every language (``"INVALID_CREDENTIALS"``, ...;
            ``"INTERNAL"`` for a bug caught at the boundary).
        attempts_remaining: authentication attempts left before the lockout guard stops.
        failed_attempts: failed attempts the lockout guard recorded.
        reason: why the lockout guard refused (``"secret_rejected"``, ``"attempts_exhausted"``,
            ``"secret_retired"``).
        retry_after: seconds the server asked to wait (rate limits), or None.
        status: the HTTP status, when a server answered.
        code: the Finicity error code (e.g. 10001, 24302), when the server gave one.
        hint: what to do about it, when finauth knows.
        after: the time-out that expired, in seconds.
        error: the OAuth 2.0 ``error`` (RFC 6749 §5.2, e.g. ``"invalid_client"``), when given.
        error_description: the OAuth 2.0 ``error_description``, when given.
        correlation_id: the server's correlation / request id, when given.
    """

    kind: str
    attempts_remaining: Optional[int]
    failed_attempts: Optional[int]
    reason: Optional[str]
    retry_after: Optional[float]
    status: Optional[int]
    code: Optional[int]
    hint: Optional[str]
    after: Optional[float]
    error: Optional[str]
    error_description: Optional[str]
    correlation_id: Optional[str]

    _default_kind = "INTERNAL"

    def __init__(
        self,
        message: str = "",
        *,
        kind: Optional[str] = None,
        attempts_remaining: Optional[int] = None,
        failed_attempts: Optional[int] = None,
        reason: Optional[str] = None,
        retry_after: Optional[float] = None,
        status: Optional[int] = None,
        code: Optional[int] = None,
        hint: Optional[str] = None,
        after: Optional[float] = None,
        error: Optional[str] = None,
        error_description: Optional[str] = None,
        correlation_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind if kind is not None else self._default_kind
        self.attempts_remaining = attempts_remaining
        self.failed_attempts = failed_attempts
        self.reason = reason
        self.retry_after = retry_after
        self.status = status
        self.code = code
        self.hint = hint
        self.after = after
        self.error = error
        self.error_description = error_description
        self.correlation_id = correlation_id

    @property
    def message(self) -> str:
        """The error message (the same as ``str(error)``)."""
        return str(self.args[0]) if self.args else ""

    def _fields(self) -> dict[str, Any]:
        names = (
            "kind",
            "attempts_remaining",
            "failed_attempts",
            "reason",
            "retry_after",
            "status",
            "code",
            "hint",
            "after",
            "error",
            "error_description",
            "correlation_id",
        )
        return {n: getattr(self, n) for n in names if getattr(self, n, None) is not None}

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        fields = "".join(f", {k}={v!r}" for k, v in self._fields().items())
        return f"{type(self).__name__}({self.message!r}{fields})"

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, self._fields()))


def _rebuild(cls: type[FinauthError], message: str, fields: dict[str, Any]) -> FinauthError:
    return cls(message, **fields)


class ConfigError(FinauthError, ValueError):
    """Bad configuration or argument; the message names the field."""

    _default_kind = "CONFIG"


class InvalidCredentialsError(FinauthError):
    """The server rejected the Partner ID / secret. See ``attempts_remaining`` and ``code``."""

    _default_kind = "INVALID_CREDENTIALS"


class AccountLockedError(FinauthError):
    """The server locked the Partner ID (``code`` 24302). Only Finicity support can unlock it."""

    _default_kind = "ACCOUNT_LOCKED"


class LockoutGuardError(FinauthError):
    """Refused locally by the lockout guard: no request was sent. See ``failed_attempts`` and
    ``reason``; after fixing the secret call ``reset_lockout_guard()``."""

    _default_kind = "LOCKOUT_GUARD"


class RateLimitedError(FinauthError):
    """HTTP 429 or a rate limit (on authentication most often a wrong App Key). See
    ``retry_after``."""

    _default_kind = "RATE_LIMITED"


class UnauthorizedError(FinauthError):
    """A resource rejected the token (``status``, ``code``)."""

    _default_kind = "UNAUTHORIZED"


class ServerError(FinauthError):
    """Any other HTTP error (``status``, ``code``)."""

    _default_kind = "SERVER"


class TransportError(FinauthError, ConnectionError):
    """Network failure: connection refused or reset, TLS, a truncated body."""

    _default_kind = "TRANSPORT"


class TimeoutError(FinauthError, builtins.TimeoutError):
    """A request or a wait exceeded its time-out (``after`` seconds). Also a builtin
    ``TimeoutError``."""

    _default_kind = "TIMEOUT"


class StoreError(FinauthError):
    """A store could not be reached, or holds data it cannot read."""

    _default_kind = "STORE"


class SigningKeyError(FinauthError):
    """A signing key could not be loaded."""

    _default_kind = "SIGNING_KEY"


class EncryptionError(FinauthError):
    """A payload could not be decrypted (tampered, truncated, or not for this key) or is not
    JSON. A key that does not load is a :class:`SigningKeyError`."""

    _default_kind = "ENCRYPTION"
