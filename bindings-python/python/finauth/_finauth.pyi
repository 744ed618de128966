"""Type stubs of the ``finauth._finauth`` extension module (Rust, pyo3)."""

import os
import pathlib
from typing import Awaitable, Mapping, Optional, Sequence, Tuple, Union, final, overload

__all__ = [
    "__version__",
    "MemoryStore",
    "FileStore",
    "RedisStore",
    "PartnerAuth",
    "AsyncPartnerAuth",
    "Exchange",
    "AsyncExchange",
    "SigningKey",
    "OAuth1Signer",
    "ClientCredentials",
    "AsyncClientCredentials",
    "load_pkcs12",
    "PayloadEncryption",
    "MastercardAuth",
    "EncryptionCertificate",
    "DecryptionKey",
    "load_encryption_certificate",
    "load_decryption_key",
    "load_pem",
    "_after_fork_in_child",
    "_flush_logs",
    "_shutdown",
    "_finicity_code",
]

__version__: str

_Store = Union["MemoryStore", "FileStore", "RedisStore", str, None]

@final
class MemoryStore:
    """State for this process only (the default store)."""

    def __new__(cls) -> "MemoryStore": ...

@final
class FileStore:
    """State shared by every process on this host: one file per Partner ID under ``path``."""

    def __new__(cls, path: Union[str, "os.PathLike[str]"]) -> "FileStore": ...
    @property
    def path(self) -> pathlib.Path:
        """The directory holding the state files."""

@final
class RedisStore:
    """State shared by every host that reaches one Redis server (``redis://`` or ``rediss://``)."""

    def __new__(
        cls,
        url: str,
        *,
        prefix: Optional[str] = None,
        connect_timeout: Optional[float] = None,
        command_timeout: Optional[float] = None,
    ) -> "RedisStore": ...
    @property
    def prefix(self) -> str:
        """The key prefix (default ``finauth``)."""

@final
class PartnerAuth:
    """Finicity partner authentication for threads and sync code (waits release the GIL)."""

    def __new__(
        cls,
        *,
        partner_id: str,
        partner_secret: str,
        app_key: str,
        base_url: Optional[str] = None,
        store: _Store = None,
        refresh_after: Optional[float] = None,
        token_lifetime: Optional[float] = None,
        max_failed_attempts: Optional[int] = None,
        timeout: Optional[float] = None,
        allow_insecure_loopback: bool = False,
    ) -> "PartnerAuth": ...
    @classmethod
    def from_env(cls) -> "PartnerAuth":
        """Build from the ``FINICITY_*`` / ``FINAUTH_*`` environment variables."""
    def token(self) -> str:
        """A valid Finicity App Token."""
    def headers(self) -> dict[str, str]:
        """``{"Finicity-App-Key": ..., "Finicity-App-Token": ...}``."""
    def invalidate(self, token: str) -> bool:
        """Drop ``token`` after a server rejected it, if it is still current."""
    def exchange(self, method: str, url: str) -> "Exchange":
        """One logical request under finauth's request policy, for an HTTP client you drive."""
    def observe_response(self, status: int, content_type: str, body: bytes) -> bool:
        """Judge a resource's answer: True to invalidate and resend; raises AccountLockedError on 24302."""
    def modify_partner_secret(self, new: str, immediate: bool = True) -> None:
        """Modify Partner Secret at Finicity, here and in the store."""
    def set_app_key(self, app_key: str) -> None:
        """Use ``app_key`` from now on."""
    def reset_lockout_guard(self) -> None:
        """Clear the lockout guard for every process sharing the store."""
    def guard_status(self) -> dict[str, Union[int, str, bool, None]]:
        """What the lockout guard knows."""
    def stats(self) -> dict[str, int]:
        """Counters since this object was built."""
    def as_async(self) -> "AsyncPartnerAuth":
        """An ``AsyncPartnerAuth`` sharing this object's state."""
    @property
    def partner_id(self) -> str:
        """The Partner ID."""
    @property
    def base_url(self) -> str:
        """The Finicity base URL."""

@final
class AsyncPartnerAuth:
    """Finicity partner authentication for asyncio (awaitables never block the loop)."""

    def __new__(
        cls,
        *,
        partner_id: str,
        partner_secret: str,
        app_key: str,
        base_url: Optional[str] = None,
        store: _Store = None,
        refresh_after: Optional[float] = None,
        token_lifetime: Optional[float] = None,
        max_failed_attempts: Optional[int] = None,
        timeout: Optional[float] = None,
        allow_insecure_loopback: bool = False,
    ) -> "AsyncPartnerAuth": ...
    @classmethod
    def from_env(cls) -> "AsyncPartnerAuth":
        """Build from the ``FINICITY_*`` / ``FINAUTH_*`` environment variables."""
    def token(self) -> Awaitable[str]:
        """A valid Finicity App Token."""
    def headers(self) -> Awaitable[dict[str, str]]:
        """``{"Finicity-App-Key": ..., "Finicity-App-Token": ...}``."""
    def invalidate(self, token: str) -> Awaitable[bool]:
        """Drop ``token`` after a server rejected it, if it is still current."""
    def exchange(self, method: str, url: str) -> "AsyncExchange":
        """One logical request under finauth's request policy (awaitable steps)."""
    def observe_response(self, status: int, content_type: str, body: bytes) -> Awaitable[bool]:
        """Judge a resource's answer: True to invalidate and resend; raises AccountLockedError on 24302."""
    def modify_partner_secret(self, new: str, immediate: bool = True) -> Awaitable[None]:
        """Modify Partner Secret at Finicity, here and in the store."""
    def set_app_key(self, app_key: str) -> None:
        """Use ``app_key`` from now on."""
    def reset_lockout_guard(self) -> Awaitable[None]:
        """Clear the lockout guard for every process sharing the store."""
    def guard_status(self) -> Awaitable[dict[str, Union[int, str, bool, None]]]:
        """What the lockout guard knows."""
    def stats(self) -> dict[str, int]:
        """Counters since this object was built."""
    def as_sync(self) -> PartnerAuth:
        """A sync ``PartnerAuth`` sharing this object's state."""
    @property
    def partner_id(self) -> str:
        """The Partner ID."""
    @property
    def base_url(self) -> str:
        """The Finicity base URL."""

def _after_fork_in_child() -> None: ...
def _flush_logs() -> None: ...
def _shutdown() -> None: ...
def _finicity_code(status: int, content_type: str, body: bytes) -> Optional[int]: ...

_Body = Union[bytes, bytearray, memoryview, str, None]

@final
class Exchange:
    """One logical request under finauth's request policy: ``prepare`` → send → ``observe``."""

    def prepare(self) -> dict[str, str]:
        """The headers of this attempt (set each, replacing any of the same name)."""
    def wants_body(self, status: int) -> bool:
        """Whether ``observe`` needs the body of an answer with this status."""
    def observe(
        self, status: int, headers: Sequence[Tuple[str, str]], body: Optional[bytes] = None
    ) -> bool:
        """True to resend; False to hand the answer to the caller. Raises on 24302 / a second rejection."""
    @property
    def attempts(self) -> int:
        """HTTP attempts prepared so far."""

@final
class AsyncExchange:
    """The asyncio twin of ``Exchange``."""

    def prepare(self) -> Awaitable[dict[str, str]]:
        """Awaitable: the headers of this attempt."""
    def wants_body(self, status: int) -> bool:
        """Whether ``observe`` needs the body of an answer with this status."""
    def observe(
        self, status: int, headers: Sequence[Tuple[str, str]], body: Optional[bytes] = None
    ) -> Awaitable[bool]:
        """Awaitable: True to resend; False to hand the answer to the caller."""
    @property
    def attempts(self) -> int:
        """HTTP attempts prepared so far."""

@final
class SigningKey:
    """An RSA or EC P-256 private key, parsed once; ``repr`` is redacted."""

    @property
    def bits(self) -> int:
        """The key size in bits (the RSA modulus, e.g. 2048; 256 for P-256)."""
    @property
    def algorithm(self) -> str:
        """``"RSA-2048"``, ``"EC-P256"``, ..."""
    def public_jwk(self) -> str:
        """The public half as a JWK (JSON text)."""

def load_pkcs12(
    path_or_bytes: Union[bytes, bytearray, str, "os.PathLike[str]"],
    password: str,
    alias: Optional[str] = None,
) -> SigningKey:
    """Load the private key of a PKCS#12 file (path or content); raises ``SigningKeyError``."""

def load_pem(
    source: Union[bytes, bytearray, str, "os.PathLike[str]"],
    password: Optional[str] = None,
) -> SigningKey:
    """Load a PEM key (PEM text, its bytes, or a path); raises ``SigningKeyError``."""

@final
class OAuth1Signer:
    """Mastercard one-legged OAuth 1.0a signer (body-hash extension); releases the GIL to sign."""

    def __new__(
        cls, consumer_key: str, key: SigningKey, method: str = "RSA-SHA256"
    ) -> "OAuth1Signer": ...
    @property
    def consumer_key(self) -> str:
        """The consumer key."""
    @property
    def method(self) -> str:
        """``"RSA-SHA256"`` or ``"RSA-PSS"``."""
    def authorization_header(self, method: str, uri: str, body: _Body = None) -> str:
        """The ``Authorization`` header value for one request (fresh nonce, current time)."""
    def authorization_header_with(
        self, method: str, uri: str, body: _Body, nonce: str, timestamp: int
    ) -> str:
        """The ``Authorization`` value for a given nonce and timestamp (conformance tests only)."""
    def signature_base_string(
        self, method: str, uri: str, body: _Body, nonce: str, timestamp: int
    ) -> str:
        """The signature base string for a given nonce and timestamp (tests, debugging)."""

@final
class ClientCredentials:
    """OAuth 2.0 client credentials (threads, sync code); every wait releases the GIL."""

    def __new__(
        cls,
        *,
        client_id: str,
        token_url: Optional[str] = None,
        issuer: Optional[str] = None,
        client_secret: Optional[str] = None,
        auth_method: str = "client_secret_basic",
        scope: Optional[str] = None,
        signing_key: Optional[SigningKey] = None,
        key_id: Optional[str] = None,
        audience: Optional[str] = None,
        dpop: bool = False,
        app_key: Optional[str] = None,
        default_lifetime: Optional[float] = None,
        extra_params: Optional[Mapping[str, str]] = None,
        store: _Store = None,
        max_failed_attempts: Optional[int] = None,
        timeout: Optional[float] = None,
        allow_insecure_loopback: bool = False,
    ) -> "ClientCredentials": ...
    @classmethod
    def from_env(cls) -> "ClientCredentials":
        """Build from the ``FINAUTH_OAUTH2_*`` environment variables."""
    def token(self) -> str:
        """A valid access token (one request for every concurrent caller)."""
    def headers(self, method: str = "GET", url: Optional[str] = None) -> dict[str, str]:
        """``Authorization`` (and a fresh ``DPoP`` proof, for which ``url`` is required)."""
    def exchange(self, method: str, url: str) -> "Exchange":
        """One logical request under finauth's request policy, for an HTTP client you drive."""
    def learn_nonce(self, url: str, headers: Mapping[str, str]) -> bool:
        """Remember a response's ``DPoP-Nonce``; True if it was new."""
    def invalidate(self, token: str) -> bool:
        """Drop ``token`` if it is still current; True if this call dropped it."""
    def discover(self) -> str:
        """Read the issuer's metadata now; the token endpoint (the configured one without an issuer)."""
    def reset_lockout_guard(self) -> None:
        """Operator action: clear the lockout guard everywhere."""
    def guard_status(self) -> dict[str, Union[int, str, bool, None]]:
        """The lockout guard's state."""
    def stats(self) -> dict[str, int]:
        """Counters since this object was built."""
    def as_async(self) -> "AsyncClientCredentials":
        """The asyncio twin, sharing token, guard and counters."""
    @property
    def token_type(self) -> str:
        """``"Bearer"`` or ``"DPoP"``."""
    @property
    def token_url(self) -> str:
        """The token endpoint: configured, or discovered (the issuer until discovery ran)."""
    @property
    def issuer(self) -> Optional[str]:
        """The configured issuer, or None when ``token_url`` was given."""
    @property
    def client_id(self) -> str: ...

@final
class AsyncClientCredentials:
    """OAuth 2.0 client credentials for asyncio; network methods return awaitables."""

    def __new__(
        cls,
        *,
        client_id: str,
        token_url: Optional[str] = None,
        issuer: Optional[str] = None,
        client_secret: Optional[str] = None,
        auth_method: str = "client_secret_basic",
        scope: Optional[str] = None,
        signing_key: Optional[SigningKey] = None,
        key_id: Optional[str] = None,
        audience: Optional[str] = None,
        dpop: bool = False,
        app_key: Optional[str] = None,
        default_lifetime: Optional[float] = None,
        extra_params: Optional[Mapping[str, str]] = None,
        store: _Store = None,
        max_failed_attempts: Optional[int] = None,
        timeout: Optional[float] = None,
        allow_insecure_loopback: bool = False,
    ) -> "AsyncClientCredentials": ...
    @classmethod
    def from_env(cls) -> "AsyncClientCredentials":
        """Build from the ``FINAUTH_OAUTH2_*`` environment variables."""
    def token(self) -> Awaitable[str]:
        """Awaitable: a valid access token."""
    def headers(self, method: str = "GET", url: Optional[str] = None) -> Awaitable[dict[str, str]]:
        """Awaitable: the headers of one request."""
    def exchange(self, method: str, url: str) -> "AsyncExchange":
        """One logical request under finauth's request policy (awaitable steps)."""
    def learn_nonce(self, url: str, headers: Mapping[str, str]) -> bool:
        """Remember a response's ``DPoP-Nonce``; True if it was new."""
    def invalidate(self, token: str) -> Awaitable[bool]:
        """Awaitable: drop ``token`` if it is still current."""
    def discover(self) -> Awaitable[str]:
        """Awaitable: read the issuer's metadata now; the token endpoint."""
    def reset_lockout_guard(self) -> Awaitable[None]:
        """Awaitable: clear the lockout guard."""
    def guard_status(self) -> Awaitable[dict[str, Union[int, str, bool, None]]]:
        """Awaitable: the lockout guard's state."""
    def stats(self) -> dict[str, int]:
        """Counters since this object was built."""
    def as_sync(self) -> ClientCredentials:
        """The sync twin."""
    @property
    def token_type(self) -> str: ...
    @property
    def token_url(self) -> str:
        """The token endpoint: configured, or discovered (the issuer until discovery ran)."""
    @property
    def issuer(self) -> Optional[str]:
        """The configured issuer, or None when ``token_url`` was given."""
    @property
    def client_id(self) -> str: ...

@final
class EncryptionCertificate:
    """Mastercard's public key (the Client Encryption Key certificate)."""

    @property
    def key_fingerprint(self) -> str: ...
    @property
    def certificate_fingerprint(self) -> Optional[str]: ...
    @property
    def bits(self) -> int: ...

@final
class DecryptionKey:
    """Your RSA private key (the Mastercard Encryption Key); its repr shows the size only."""

    @property
    def key_fingerprint(self) -> str: ...
    @property
    def bits(self) -> int: ...

def load_encryption_certificate(path_or_bytes: Union[str, bytes, os.PathLike[str]]) -> EncryptionCertificate:
    """Load a PEM/DER X.509 certificate or a PEM public key; raises ``SigningKeyError``."""

def load_decryption_key(
    path_or_bytes: Union[str, bytes, os.PathLike[str]],
    password: Optional[str] = None,
    alias: Optional[str] = None,
) -> DecryptionKey:
    """Load a PKCS#12, PEM or DER RSA private key; raises ``SigningKeyError``."""

_Paths = Union[Mapping[str, str], Sequence[tuple[str, str]]]

@final
class PayloadEncryption:
    """Mastercard payload encryption (JWE or the field-level scheme) at JSON paths."""

    def __new__(
        cls,
        scheme: str = "jwe",
        *,
        encryption_certificate: Optional[EncryptionCertificate] = None,
        decryption_key: Optional[DecryptionKey] = None,
        encryption_paths: Optional[_Paths] = None,
        decryption_paths: Optional[_Paths] = None,
        encrypted_value_field_name: Optional[str] = None,
        key_id: Optional[str] = None,
        iv_size: Optional[int] = None,
        field_encoding: Optional[str] = None,
        oaep: Optional[str] = None,
        field_names: Optional[Mapping[str, Optional[str]]] = None,
        header_mode: Union[bool, Mapping[str, Optional[str]], None] = None,
    ) -> "PayloadEncryption": ...
    @property
    def scheme(self) -> str:
        """``"jwe"`` or ``"fle"``."""
    @overload
    def encrypt_payload(self, payload: str) -> str: ...
    @overload
    def encrypt_payload(self, payload: bytes) -> bytes: ...
    @overload
    def decrypt_payload(self, payload: str) -> str: ...
    @overload
    def decrypt_payload(self, payload: bytes) -> bytes: ...
    def encrypt_request(self, body: bytes) -> tuple[bytes, dict[str, str]]:
        """The encrypted body and the headers to set (field-level header mode)."""
    def decrypt_response(self, body: bytes, headers: Optional[Mapping[str, str]] = None) -> bytes:
        """The decrypted body; ``headers`` supply the header mode's parameters."""

@final
class MastercardAuth:
    """Signing and payload encryption of Mastercard API calls, in core's order."""

    def __new__(
        cls, *, signer: Optional[OAuth1Signer] = None, encryption: Optional[PayloadEncryption] = None
    ) -> "MastercardAuth": ...
    def prepare(self, method: str, url: str, body: bytes) -> tuple[bytes, dict[str, str], bool]:
        """``(body, headers, body_changed)`` of a request; ``Authorization`` among the headers."""
    def response(self, body: bytes, headers: Optional[Mapping[str, str]] = None) -> bytes:
        """The answer's body as the caller should see it."""
