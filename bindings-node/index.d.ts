// Type declarations of the `finauth` package (hand-written; the addon's own are internal).

/** Configuration of a {@link PartnerAuth}. Durations are seconds (fractions allowed). */
export interface PartnerAuthOptions {
  /** Finicity Partner ID. */
  partnerId: string
  /** Partner secret (never shown by `inspect`, `JSON.stringify` or error messages). */
  partnerSecret: string
  /** Finicity App Key. */
  appKey: string
  /** Default `https://api.finicity.com`. */
  baseUrl?: string
  /** Where the token and the lockout guard live: a store object, or `"memory"` / `"file:/path"`. Default: memory. */
  store?: MemoryStore | FileStore | RedisStore | string
  /** Lets `http://` through for loopback addresses (the local sandbox). Default false. */
  allowInsecureLoopback?: boolean
  /** Age in seconds at which a token is refreshed. Default 5400. */
  refreshAfter?: number
  /** How long a token works, in seconds. Default 7200. */
  tokenLifetime?: number
  /** Credential failures allowed since the last success, 1–4. Default 3. */
  maxFailedAttempts?: number
  /** Bound on one request and on any wait for a token, in seconds. Default 30. */
  timeout?: number
}

/** The headers of an authenticated Finicity call. */
export interface FinicityHeaders {
  'Finicity-App-Key': string
  'Finicity-App-Token': string
}

/** Counters since the object was built. */
export interface Stats {
  /** Authentication requests sent to the server. */
  authRequests: number
  authSuccesses: number
  /** Answers that rejected the credential. */
  credentialFailures: number
  refreshesAdvisory: number
  refreshesMandatory: number
  /** `token()` calls answered from the cache. */
  cacheHits: number
  invalidations: number
  /** Authentications the lockout guard refused to send. */
  guardRefusals: number
  /** Tokens taken from the shared store (fetched by another worker or process). */
  tokensAdopted: number
  /** Store operations that failed and fell back to process-local state. */
  storeErrors: number
}

/** What the lockout guard knows (from the store, shared with other workers and processes). */
export interface GuardStatus {
  failedAttempts: number
  inFlight: number
  maxFailedAttempts: number
  attemptsRemaining: number
  rejectedSecrets: number
  /** The 24302 code if the server locked the Partner ID, else null. */
  locked: number | null
  currentSecretRejected: boolean
  /** Where the state lives (`memory`, `file:/path`). */
  store: string
}

/** State for this thread only (the default). Share one object between PartnerAuth objects to share one guard. */
export declare class MemoryStore {
  constructor()
}

/** State shared by every worker thread and process on this host: one file per Partner ID in `path`. */
export declare class FileStore {
  /** @throws {StoreError} if `path` cannot be used as a directory. */
  constructor(path: string)
  /** The directory holding the state files. */
  get path(): string
}

/** Options of a RedisStore; durations in seconds. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://…` (TLS). Never shown by finauth. */
  url: string
  /** Key prefix (default `finauth`). */
  prefix?: string
  connectTimeout?: number
  commandTimeout?: number
}

/** State shared by every process on every host through Redis: one token and one lockout guard per Partner ID. */
export declare class RedisStore {
  /** @throws {ConfigError} for a URL that is not `redis://` or `rediss://`. */
  constructor(options: RedisStoreOptions)
  /** Where the state lives, without credentials. */
  get description(): string
}

/**
 * Finicity partner authentication: one token per Partner ID, refreshed before it expires, shared
 * by every caller (and, with a FileStore, every worker thread and process), behind a lockout guard
 * that stops before the server locks the Partner ID. Every network call returns a Promise; none
 * blocks the event loop.
 */
export declare class PartnerAuth {
  /** @throws {ConfigError} naming the option at fault. */
  constructor(options: PartnerAuthOptions)
  /**
   * Build from `FINICITY_PARTNER_ID`, `FINICITY_PARTNER_SECRET`, `FINICITY_APP_KEY` and the
   * optional `FINICITY_BASE_URL`, `FINAUTH_STORE`, `FINAUTH_MAX_FAILED_ATTEMPTS`,
   * `FINAUTH_REFRESH_AFTER`, `FINAUTH_TOKEN_LIFETIME`, `FINAUTH_TIMEOUT`,
   * `FINAUTH_ALLOW_INSECURE_LOOPBACK`.
   */
  static fromEnv(): PartnerAuth
  /** A valid Finicity App Token: from memory when fresh; otherwise one authentication serves every caller. */
  token(): Promise<string>
  /** `Finicity-App-Key` and `Finicity-App-Token` for a call. */
  headers(): Promise<FinicityHeaders>
  /** After a resource rejected `token` (401 with 10022/10023): drop it if still current. `true` if this call dropped it. */
  invalidate(token: string): Promise<boolean>
  /**
   * For HTTP clients that send requests themselves: judge a Finicity resource's answer. `true` if
   * the token was rejected (10022/10023: invalidate it and resend once); rejects with
   * `AccountLockedError` on 24302, after recording the lock for every caller sharing the store.
   */
  observeResponse(status: number, contentType: string, body: string): Promise<boolean>
  /** Modify Partner Secret; `immediate = false` keeps the old secret valid at the server for 30 days. */
  modifyPartnerSecret(newSecret: string, immediate?: boolean): Promise<void>
  /** Use `appKey` from now on (tokens already issued keep working). */
  setAppKey(appKey: string): void
  /** Operator action: clear the lockout guard for every process sharing the store. */
  resetLockoutGuard(): Promise<void>
  /** What the lockout guard knows. */
  guardStatus(): Promise<GuardStatus>
  /** Counters since this object was built. */
  stats(): Stats
  /** One logical request under finauth's request policy, for an HTTP client you drive yourself. */
  exchange(method: string, url: string): Exchange
  /**
   * The global `fetch` with the Finicity headers set. On a 401 (or 500) whose body carries code
   * 10022 or 10023 the token is invalidated and the request resent once with a new one; a 24302
   * rejects with `AccountLockedError`; any other answer is returned as it is.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>
  /** The Partner ID (not a secret). */
  readonly partnerId: string
  /** The Finicity base URL. */
  readonly baseUrl: string
  toString(): string
  toJSON(): { partnerId: string; baseUrl: string }
}

/** The error codes, the same in every language. */
export type FinauthErrorCode =
  | 'CONFIG'
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_LOCKED'
  | 'LOCKOUT_GUARD'
  | 'RATE_LIMITED'
  | 'UNAUTHORIZED'
  | 'SERVER'
  | 'TRANSPORT'
  | 'TIMEOUT'
  | 'STORE'
  | 'SIGNING_KEY'
  | 'ENCRYPTION'
  | 'INTERNAL'

/** Why the lockout guard refused. */
export type GuardReason = 'secret_rejected' | 'attempts_exhausted' | 'secret_retired'

/** Fields an error may carry (null when they do not apply). */
export interface FinauthErrorFields {
  code?: FinauthErrorCode
  attemptsRemaining?: number | null
  failedAttempts?: number | null
  reason?: GuardReason | null
  hint?: string | null
  retryAfter?: number | null
  status?: number | null
  finicityCode?: number | null
  after?: number | null
  error?: string | null
  errorDescription?: string | null
  correlationId?: string | null
}

/** Every finauth error. Messages never contain a secret, an App Key or a token. */
/** Any header shape an HTTP client gives: fetch `Headers`, axios headers, a plain object, or pairs. */
export type AnyHeaders = Headers | Record<string, string | string[] | number | undefined | null> | Array<[string, string]>

/**
 * One logical request under finauth's request policy: `prepare()` → send → `observe()`, until
 * `observe` resolves `false` (the answer is the caller's). Core decides everything else.
 */
export declare class Exchange {
  /** The headers of this attempt: set each, replacing any of the same name. */
  prepare(): Promise<Record<string, string>>
  /** Whether `observe` needs the body text of an answer with this status. */
  wantsBody(status: number): boolean
  /**
   * `true` to resend (call `prepare` first), `false` to hand the answer to the caller; rejects with
   * `AccountLockedError` on 24302 (recorded for every caller) or `UnauthorizedError` once the resend is spent.
   */
  observe(status: number, headers: AnyHeaders, body?: string | null): Promise<boolean>
  /** HTTP attempts prepared so far. */
  readonly attempts: number
}

export declare class FinauthError extends Error {
  constructor(message?: string, fields?: FinauthErrorFields)
  /** Stable kind, the same in every language. */
  readonly code: FinauthErrorCode
  /** Authentication attempts left before the lockout guard stops (INVALID_CREDENTIALS). */
  readonly attemptsRemaining: number | null
  /** Failed attempts the guard recorded (LOCKOUT_GUARD). */
  readonly failedAttempts: number | null
  /** Why the guard refused (LOCKOUT_GUARD). */
  readonly reason: GuardReason | null
  /** What to do about it, when finauth knows. */
  readonly hint: string | null
  /** Seconds the server asked to wait (RATE_LIMITED), when it said. */
  readonly retryAfter: number | null
  /** The HTTP status (SERVER, UNAUTHORIZED). */
  readonly status: number | null
  /** The Finicity error code (10001, 24302, ...), when the server gave one. */
  readonly finicityCode: number | null
  /** The time-out that expired, in seconds (TIMEOUT). */
  readonly after: number | null
  /** The OAuth 2.0 `error` (RFC 6749 §5.2), e.g. `invalid_client`, when the server gave one. */
  readonly error: string | null
  /** The OAuth 2.0 `error_description`, when the server gave one. */
  readonly errorDescription: string | null
  /** The server's correlation / request id, when it gave one. */
  readonly correlationId: string | null
  toJSON(): { name: string; code: FinauthErrorCode; message: string } & FinauthErrorFields
}
/** Bad configuration or argument; the message names the field. */
export declare class ConfigError extends FinauthError {
  readonly code: 'CONFIG'
}
/** The server rejected the Partner ID / secret; see `attemptsRemaining` and `finicityCode`. */
export declare class InvalidCredentialsError extends FinauthError {
  readonly code: 'INVALID_CREDENTIALS'
}
/** The server locked the Partner ID (24302); only Finicity support can unlock it. */
export declare class AccountLockedError extends FinauthError {
  readonly code: 'ACCOUNT_LOCKED'
}
/** Refused locally by the lockout guard: no request was sent. */
export declare class LockoutGuardError extends FinauthError {
  readonly code: 'LOCKOUT_GUARD'
}
/** HTTP 429 or a rate limit (on authentication most often a wrong App Key). */
export declare class RateLimitedError extends FinauthError {
  readonly code: 'RATE_LIMITED'
}
/** A resource rejected the token. */
export declare class UnauthorizedError extends FinauthError {
  readonly code: 'UNAUTHORIZED'
}
/** Any other HTTP error. */
export declare class ServerError extends FinauthError {
  readonly code: 'SERVER'
}
/** Network failure: connection refused or reset, TLS, a truncated body. */
export declare class TransportError extends FinauthError {
  readonly code: 'TRANSPORT'
}
/** A request or a wait exceeded its time-out. */
export declare class TimeoutError extends FinauthError {
  readonly code: 'TIMEOUT'
}
/** The store is unreachable or holds data it cannot read. */
export declare class StoreError extends FinauthError {
  readonly code: 'STORE'
}
/** A signing key could not be loaded. */
export declare class SigningKeyError extends FinauthError {
  readonly code: 'SIGNING_KEY'
}
/** A payload could not be decrypted (tampered, truncated, not for this key) or is not JSON. */
export declare class EncryptionError extends FinauthError {
  readonly code: 'ENCRYPTION'
}

/** Mastercard's public key (the Client Encryption Key certificate). */
export declare class EncryptionCertificate {
  private constructor()
  /** SHA-256 of the SubjectPublicKeyInfo DER, hex (the JWE `kid`). */
  readonly keyFingerprint: string
  /** SHA-256 of the certificate DER, hex; null for a bare public key. */
  readonly certificateFingerprint: string | null
  readonly bits: number
}
/** Your RSA private key (the Mastercard Encryption Key); `inspect` and JSON never show it. */
export declare class DecryptionKey {
  private constructor()
  readonly keyFingerprint: string
  readonly bits: number
  toJSON(): { type: 'DecryptionKey'; bits: number; key: '[REDACTED]' }
}
/** PEM or DER X.509 (or a PEM public key): a path, PEM text or bytes. Throws `SigningKeyError`. */
export declare function loadEncryptionCertificate(source: string | Buffer | Uint8Array): EncryptionCertificate
/** PKCS#12 (password, alias), PEM or DER: a path, PEM text or bytes. Throws `SigningKeyError`. */
export declare function loadDecryptionKey(source: string | Buffer | Uint8Array, password?: string | null, alias?: string | null): DecryptionKey

type EncryptionPaths = Record<string, string> | Array<[string, string]>
type NameOrNull = string | null
/** Options of `new PayloadEncryption(options)` (docs/GUIDE.md, "Payload encryption"). */
export interface PayloadEncryptionOptions {
  scheme?: 'jwe' | 'fle'
  encryptionCertificate?: EncryptionCertificate
  decryptionKey?: DecryptionKey
  encryptionPaths?: EncryptionPaths
  decryptionPaths?: EncryptionPaths
  encryptedValueFieldName?: string
  /** JWE: the `kid` sent (default: the certificate's key fingerprint). */
  keyId?: string
  /** JWE: 12 (default) or 16. */
  ivSize?: 12 | 16
  fieldEncoding?: 'hex' | 'base64'
  oaep?: 'sha256' | 'sha512'
  fieldNames?: { iv?: NameOrNull; encryptedKey?: NameOrNull; oaepHashingAlgorithm?: NameOrNull; encryptionCertificateFingerprint?: NameOrNull; encryptionKeyFingerprint?: NameOrNull }
  headerMode?: boolean | { iv?: string; encryptedKey?: string; oaepHashingAlgorithm?: NameOrNull; encryptionCertificateFingerprint?: NameOrNull; encryptionKeyFingerprint?: NameOrNull }
}
/** Signing and payload encryption of Mastercard calls in core's order (encrypt, then sign the bytes sent; decrypt the answer). */
export declare class MastercardAuth {
  constructor(options: { signer?: OAuth1Signer; encryption?: PayloadEncryption })
  prepare(method: string, url: string, body?: string | Buffer | Uint8Array | null): Promise<{ body: Buffer; headers: Record<string, string>; bodyChanged: boolean }>
  response(body: string | Buffer | Uint8Array, headers?: Headers | Record<string, string | string[]>): Promise<Buffer>
  /** `fetch` with the body encrypted and signed and the answer decrypted. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>
}
/** Mastercard payload encryption (JWE or the field-level scheme) at JSON paths. */
export declare class PayloadEncryption {
  constructor(options: PayloadEncryptionOptions)
  readonly scheme: 'jwe' | 'fle'
  encryptPayload(payload: string): string
  encryptPayload(payload: Buffer | Uint8Array): Buffer
  decryptPayload(payload: string): string
  decryptPayload(payload: Buffer | Uint8Array): Buffer
  /** The encrypted body and the headers to set (the field-level header mode). */
  encryptRequest(body: string | Buffer | Uint8Array): { body: Buffer; headers: Record<string, string> }
  decryptResponse(body: string | Buffer | Uint8Array, headers?: Headers | Record<string, string | string[]>): Buffer
}

/** True if a response (status, `Content-Type`, body) says the token is invalid or expired (10022/10023). */
/** The body of a signed request: a string (sent as UTF-8), Buffer or Uint8Array; none is empty. */
export type OAuth1Body = string | Buffer | Uint8Array | null | undefined

/** An RSA or EC P-256 private key, parsed once; `inspect` and JSON never show it. */
export declare class SigningKey {
  private constructor()
  /** The key size in bits. */
  readonly bits: number
  /** `RSA-2048`, `EC-P256`, ... */
  readonly algorithm: string
  /** The public half as a JWK. */
  publicJwk(): Record<string, string>
  toJSON(): { type: 'SigningKey'; bits: number; key: '[REDACTED]' }
}

/** A PKCS#12 key store (path or bytes) with its password and, optionally, the key alias. Throws `SigningKeyError`. */
export declare function loadPkcs12(pathOrBuffer: string | Buffer | Uint8Array, password: string, alias?: string | null): SigningKey

/** A PEM key (PKCS#1, PKCS#8, encrypted PKCS#8 with `password`): PEM text, its bytes, or a file path. Throws `SigningKeyError`. */
export declare function loadPem(pathOrStringOrBuffer: string | Buffer | Uint8Array, password?: string | null): SigningKey

export type OAuth1SignatureMethod = 'RSA-SHA256' | 'RSA-PSS'

export interface OAuth1SignerOptions {
  /** The consumer key of the Mastercard Developers project. */
  consumerKey: string
  key: SigningKey
  /** Default `RSA-SHA256`. */
  method?: OAuth1SignatureMethod
}

/** Mastercard OAuth 1.0a signer (one-legged, with `oauth_body_hash`), byte-identical to the Java reference. */
export declare class OAuth1Signer {
  constructor(options: OAuth1SignerOptions)
  readonly consumerKey: string
  readonly method: OAuth1SignatureMethod
  /** The `Authorization` value; signs on libuv's thread pool, off the event loop. */
  authorizationHeader(method: string, uri: string, body?: OAuth1Body): Promise<string>
  /** The `Authorization` value, signed on the calling thread (about 1 ms of CPU). */
  authorizationHeaderSync(method: string, uri: string, body?: OAuth1Body): string
  /** For tests: the header with a fixed nonce and timestamp (Unix seconds). */
  authorizationHeaderWith(method: string, uri: string, body: OAuth1Body, nonce: string, timestamp: number): string
  /** `fetch` with the `Authorization` header, signed (asynchronously) over the exact body bytes sent. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>
  toJSON(): { consumerKey: string; method: OAuth1SignatureMethod; key: '[REDACTED]' }
}

/** The signature base string of a request given its `oauth_*` parameters (all but `oauth_signature`). */
export declare function signatureBaseString(method: string, uri: string, oauthParams: Record<string, string>): string

/** Base64 SHA-256 of the body (the `oauth_body_hash` value). */
export declare function bodyHash(body?: OAuth1Body): string

export declare function rejectsToken(status: number, contentType: string | null | undefined, body: string | null | undefined): boolean
/** The Finicity error code in a response body of any known shape (JSON, XML, text), or null. */
export declare function finicityCode(status: number, contentType: string | null | undefined, body: string | null | undefined): number | null
/** The version of the native addon. */
export declare const version: string

declare const finauth: {
  OAuth1Signer: typeof OAuth1Signer
  SigningKey: typeof SigningKey
  loadPkcs12: typeof loadPkcs12
  loadPem: typeof loadPem
  signatureBaseString: typeof signatureBaseString
  bodyHash: typeof bodyHash
  PartnerAuth: typeof PartnerAuth
  MemoryStore: typeof MemoryStore
  FileStore: typeof FileStore
  RedisStore: typeof RedisStore
  rejectsToken: typeof rejectsToken
  finicityCode: typeof finicityCode
  version: string
  FinauthError: typeof FinauthError
  ConfigError: typeof ConfigError
  InvalidCredentialsError: typeof InvalidCredentialsError
  AccountLockedError: typeof AccountLockedError
  LockoutGuardError: typeof LockoutGuardError
  RateLimitedError: typeof RateLimitedError
  UnauthorizedError: typeof UnauthorizedError
  ServerError: typeof ServerError
  TransportError: typeof TransportError
  TimeoutError: typeof TimeoutError
  StoreError: typeof StoreError
  SigningKeyError: typeof SigningKeyError
  EncryptionError: typeof EncryptionError
  PayloadEncryption: typeof PayloadEncryption
  MastercardAuth: typeof MastercardAuth
  EncryptionCertificate: typeof EncryptionCertificate
  DecryptionKey: typeof DecryptionKey
  loadEncryptionCertificate: typeof loadEncryptionCertificate
  loadDecryptionKey: typeof loadDecryptionKey
}
export default finauth

/** Options of `new ClientCredentials(options)` (docs/API.md names in camelCase; durations in seconds). */
export interface ClientCredentialsOptions {
  /** The token endpoint; or give `issuer` instead (exactly one of the two). */
  tokenUrl?: string
  /** The issuer identifier: the token endpoint is read from its RFC 8414 / OpenID metadata. */
  issuer?: string
  clientId: string
  clientSecret?: string
  authMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'finicity_json'
  /** Space-separated scopes; tokens are cached per scope set. */
  scope?: string
  signingKey?: SigningKey
  keyId?: string
  audience?: string
  dpop?: boolean
  appKey?: string
  defaultLifetime?: number
  extraParams?: Record<string, string>
  store?: MemoryStore | FileStore | RedisStore | string
  maxFailedAttempts?: number
  timeout?: number
  allowInsecureLoopback?: boolean
}

/** OAuth 2.0 client credentials on finauth's token lifecycle engine (DPoP optional). */
export declare class ClientCredentials {
  constructor(options: ClientCredentialsOptions)
  static fromEnv(): ClientCredentials
  token(): Promise<string>
  /** `Authorization` (and a fresh `DPoP` proof; `url` is required with DPoP). */
  headers(method?: string, url?: string): Promise<Record<string, string>>
  /** Remember a response's `DPoP-Nonce`; true if it was new. */
  learnNonce(url: string, headers: Headers | Record<string, string>): boolean
  invalidate(token: string): Promise<boolean>
  /** Read the issuer's metadata now; resolves to the token endpoint (the configured one without an issuer). */
  discover(): Promise<string>
  resetLockoutGuard(): Promise<void>
  guardStatus(): Promise<GuardStatus>
  stats(): Stats
  readonly tokenType: 'Bearer' | 'DPoP'
  /** The token endpoint: configured, or discovered (the issuer until discovery ran). */
  readonly tokenUrl: string
  readonly issuer: string | null
  readonly clientId: string
  readonly authMethod: string
  readonly scope: string | null
  /** One logical request under finauth's request policy, for an HTTP client you drive yourself. */
  exchange(method: string, url: string): Exchange
  /** `fetch` with `Authorization` (and DPoP); one retry per nonce challenge and per rejected token. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>
  toJSON(): { tokenUrl: string; issuer: string | null; clientId: string; authMethod: string; scope: string | null; tokenType: string }
}
