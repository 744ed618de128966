'use strict'
// The one place where finauth's errors become JavaScript errors: `FinauthError` and a subclass
// per kind, each with a stable `code` and the error's fields. Messages come from the Rust core and
// never hold a secret, an App Key or a token.

const FIELDS = ['attemptsRemaining', 'failedAttempts', 'reason', 'hint', 'retryAfter', 'status', 'finicityCode', 'after', 'error', 'errorDescription', 'correlationId']

class FinauthError extends Error {
  constructor(message, fields = {}) {
    super(String(message ?? ''))
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true })
    this.code = fields.code ?? new.target.defaultCode
    for (const f of FIELDS) this[f] = fields[f] ?? null
  }

  static get defaultCode() {
    return 'INTERNAL'
  }

  toJSON() {
    const out = { name: this.name, code: this.code, message: this.message }
    for (const f of FIELDS) if (this[f] !== null) out[f] = this[f]
    return out
  }
}

function kind(name, code, doc) {
  const cls = {
    [name]: class extends FinauthError {
      static get defaultCode() {
        return code
      }
    },
  }[name]
  cls.description = doc
  return cls
}

const ConfigError = kind('ConfigError', 'CONFIG', 'bad configuration or argument')
const InvalidCredentialsError = kind('InvalidCredentialsError', 'INVALID_CREDENTIALS', 'the server rejected the Partner ID / secret')
const AccountLockedError = kind('AccountLockedError', 'ACCOUNT_LOCKED', 'the server locked the Partner ID (24302)')
const LockoutGuardError = kind('LockoutGuardError', 'LOCKOUT_GUARD', 'refused locally by the lockout guard')
const RateLimitedError = kind('RateLimitedError', 'RATE_LIMITED', 'HTTP 429 or a rate limit (on authentication: a wrong App Key)')
const UnauthorizedError = kind('UnauthorizedError', 'UNAUTHORIZED', 'a resource rejected the token')
const ServerError = kind('ServerError', 'SERVER', 'any other HTTP error')
const TransportError = kind('TransportError', 'TRANSPORT', 'network failure')
const TimeoutError = kind('TimeoutError', 'TIMEOUT', 'a request or a wait timed out')
const StoreError = kind('StoreError', 'STORE', 'the store is unreachable or corrupt')
const SigningKeyError = kind('SigningKeyError', 'SIGNING_KEY', 'a signing key could not be loaded')
const EncryptionError = kind('EncryptionError', 'ENCRYPTION', 'a payload could not be decrypted (tampered, truncated, not for this key) or is not JSON')

const BY_CODE = {
  CONFIG: ConfigError,
  INVALID_CREDENTIALS: InvalidCredentialsError,
  ACCOUNT_LOCKED: AccountLockedError,
  LOCKOUT_GUARD: LockoutGuardError,
  RATE_LIMITED: RateLimitedError,
  UNAUTHORIZED: UnauthorizedError,
  SERVER: ServerError,
  TRANSPORT: TransportError,
  TIMEOUT: TimeoutError,
  STORE: StoreError,
  SIGNING_KEY: SigningKeyError,
  ENCRYPTION: EncryptionError,
}

/** An error described by the native layer (`ErrorInfo`, or a thrown napi error with `code`). */
function fromNative(e) {
  if (e instanceof FinauthError) return e
  const code = e && typeof e.code === 'string' ? e.code : 'INTERNAL'
  // A wrong JavaScript type in the options (`src/options.rs`): what Node itself would throw.
  if (code === 'TYPE_ERROR') return new TypeError(e.message)
  const Cls = BY_CODE[code]
  if (Cls) return new Cls(e.message, e)
  const message = e && typeof e.message === 'string' ? e.message : String(e)
  return new FinauthError(`internal error in finauth (please report it): ${message}`, { code: 'INTERNAL' })
}

/** Resolve a native outcome: the value, or throw the `FinauthError` it describes. */
function settle(v) {
  if (v !== null && typeof v === 'object' && v.finauthError === true) throw fromNative(v)
  return v
}

/** A rejection of a native promise that is not a finauth error (a panic caught by napi-rs). */
function rethrow(e) {
  throw fromNative(e)
}

/** Run a synchronous native call, mapping what it throws. */
function sync(fn) {
  try {
    return fn()
  } catch (e) {
    throw fromNative(e)
  }
}

module.exports = {
  FinauthError,
  ConfigError,
  InvalidCredentialsError,
  AccountLockedError,
  LockoutGuardError,
  RateLimitedError,
  UnauthorizedError,
  ServerError,
  TransportError,
  TimeoutError,
  StoreError,
  SigningKeyError,
  EncryptionError,
  fromNative,
  settle,
  rethrow,
  sync,
}
