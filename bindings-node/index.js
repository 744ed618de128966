'use strict'
// finauth for Node: the public API over the native addon (`native.js`). The addon does the work;
// this file checks argument types, maps errors (`errors.js`), keeps secrets out of `inspect` and
// `JSON.stringify`, and adds `auth.fetch`.

const { inspect } = require('node:util')
const native = require('./native.js')
const errors = require('./errors.js')
const exchange = require('./exchange.js')
const { settle, rethrow, sync } = errors

const { MemoryStore, FileStore, RedisStore, NativePartnerAuth, freshGeneration } = native

const kNative = Symbol('finauth.native')
const APP_KEY = 'Finicity-App-Key'
const APP_TOKEN = 'Finicity-App-Token'

function checkString(name, v) {
  if (typeof v !== 'string') throw new TypeError(`finauth: ${name} must be a string`)
}

/**
 * Finicity partner authentication: one token per Partner ID, refreshed before it expires, shared
 * by every caller (and, with a FileStore, every worker and process), behind a lockout guard.
 */
class PartnerAuth {
  #native
  #handle = 0
  #generation = -1
  #token = ''
  #resolved = Promise.resolve('')

  constructor(options) {
    if (options !== null && typeof options === 'object' && options[kNative] instanceof NativePartnerAuth) {
      this.#native = options[kNative]
    } else {
      // The native constructor reads and checks the options (`src/options.rs`).
      this.#native = sync(() => new NativePartnerAuth(options))
    }
    this.#handle = this.#native.handle
  }

  /** Build from FINICITY_PARTNER_ID, FINICITY_PARTNER_SECRET, FINICITY_APP_KEY and the optional variables. */
  static fromEnv() {
    return new PartnerAuth({ [kNative]: sync(() => NativePartnerAuth.fromEnv()) })
  }

  /** A valid Finicity App Token. */
  token() {
    const g = freshGeneration(this.#handle)
    if (g >= 0) {
      // Fresh: answered at once. The string and its resolved promise are made once per token
      // and handed to every caller (a settled promise can be awaited any number of times).
      if (g !== this.#generation) {
        const token = this.#native.lastToken(g)
        // Null: the token changed between the two calls; take the ordinary path.
        if (token === null) return this.#native.token().then(settle, rethrow)
        this.#token = token
        this.#resolved = Promise.resolve(token)
        this.#generation = g
      }
      return this.#resolved
    }
    return this.#native.token().then(settle, rethrow)
  }

  /** `{ 'Finicity-App-Key': ..., 'Finicity-App-Token': ... }` for a Finicity call. */
  headers() {
    return this.#native.headers().then(settle, rethrow)
  }

  /** After a resource rejected `token` (401, 10022/10023): drop it if still current. */
  invalidate(token) {
    try {
      checkString('invalidate(token)', token)
    } catch (e) {
      return Promise.reject(e)
    }
    return this.#native.invalidate(token).then(undefined, rethrow)
  }

  /**
   * For HTTP clients that send requests themselves: judge a Finicity resource's answer. Resolves
   * `true` if the token was rejected (10022/10023: invalidate it and resend once); rejects with
   * `AccountLockedError` on 24302, after recording the lock so every caller and process sharing
   * the store stops.
   */
  observeResponse(status, contentType, body) {
    try {
      if (!Number.isInteger(status)) throw new TypeError('finauth: observeResponse(status, contentType, body): status must be an integer')
      checkString('observeResponse(status, contentType, body): contentType', contentType ?? '')
      checkString('observeResponse(status, contentType, body): body', body ?? '')
    } catch (e) {
      return Promise.reject(e)
    }
    if (status < 400) return Promise.resolve(false)
    return this.#native.observeResponse(status, contentType ?? '', body ?? '').then(settle, rethrow)
  }

  /** Modify Partner Secret; `immediate = false` keeps the old secret valid for 30 days. */
  modifyPartnerSecret(newSecret, immediate = true) {
    try {
      checkString('modifyPartnerSecret(newSecret)', newSecret)
      if (typeof immediate !== 'boolean') throw new TypeError('finauth: modifyPartnerSecret(newSecret, immediate): immediate must be a boolean')
    } catch (e) {
      return Promise.reject(e)
    }
    return this.#native.modifyPartnerSecret(newSecret, immediate).then(settle, rethrow)
  }

  /** Use `appKey` from now on (tokens already issued keep working). */
  setAppKey(appKey) {
    checkString('setAppKey(appKey)', appKey)
    sync(() => this.#native.setAppKey(appKey))
  }

  /** Operator action: clear the lockout guard for every process sharing the store. */
  resetLockoutGuard() {
    return this.#native.resetLockoutGuard().then(settle, rethrow)
  }

  /** What the lockout guard knows. */
  guardStatus() {
    return this.#native.guardStatus().then((g) => {
      const s = settle(g)
      return { ...s, locked: s.locked ?? null }
    }, rethrow)
  }

  /** Counters since this object was built (a plain object). */
  stats() {
    return { ...this.#native.stats() }
  }

  get partnerId() {
    return this.#native.partnerId
  }

  get baseUrl() {
    return this.#native.baseUrl
  }

  /**
   * One logical request under finauth's request policy, for an HTTP client you drive yourself:
   * `prepare()` gives the headers of each attempt, `observe(status, headers, body)` says whether
   * to resend (see `Exchange`).
   */
  exchange(method, url) {
    return exchange.open(this.#native, method, url)
  }

  /**
   * `fetch` with the Finicity headers, as a loop over `exchange()`: a 401 or 500 whose body carries
   * code 10022 or 10023 invalidates the token sent and the request is resent once (a second
   * rejection rejects with `UnauthorizedError`); a 24302 (on the resent answer too) rejects with
   * `AccountLockedError` and stops every caller sharing the store.
   */
  fetch(input, init) {
    return exchange.fetchWith(this, input, init)
  }

  toString() {
    return `PartnerAuth(partnerId=${JSON.stringify(this.partnerId)}, baseUrl=${JSON.stringify(this.baseUrl)})`
  }

  toJSON() {
    return { partnerId: this.partnerId, baseUrl: this.baseUrl }
  }

  [inspect.custom](depth, options) {
    return `PartnerAuth ${inspect(this.toJSON(), options)}`
  }
}

Object.defineProperty(PartnerAuth.prototype, Symbol.toStringTag, { value: 'PartnerAuth' })

for (const Cls of [MemoryStore, FileStore]) {
  Cls.prototype.toJSON = function toJSON() {
    return this instanceof FileStore ? { type: 'FileStore', path: this.path } : { type: 'MemoryStore' }
  }
  Cls.prototype[inspect.custom] = function custom(depth, options) {
    return this instanceof FileStore ? `FileStore ${inspect(this.path, options)}` : 'MemoryStore {}'
  }
}

/** State shared by every worker thread and process on this host: one file per Partner ID in `path`. */
class SharedFileStore extends FileStore {
  constructor(path) {
    checkString('new FileStore(path)', path)
    try {
      super(path)
    } catch (e) {
      throw errors.fromNative(e)
    }
  }
}
Object.defineProperty(SharedFileStore, 'name', { value: 'FileStore' })
const wrappedFileStore = SharedFileStore

/** State shared by every process on every host through Redis. The URL (it may hold a password) is never shown. */
class SharedRedisStore extends RedisStore {
  constructor(options) {
    // The native constructor reads and checks the options (`src/options.rs`).
    try {
      super(options)
    } catch (e) {
      throw errors.fromNative(e)
    }
  }

  toJSON() {
    return { type: 'RedisStore', description: this.description }
  }

  [inspect.custom]() {
    return `RedisStore ${this.description}`
  }
}
Object.defineProperty(SharedRedisStore, 'name', { value: 'RedisStore' })

/** True if a response (status, content type, body text) says the token is invalid or expired. */
function rejectsToken(status, contentType, body) {
  return native.rejectsToken(status, contentType ?? '', body ?? '')
}

/** The Finicity error code in a response body of any known shape, or null. */
function finicityCode(status, contentType, body) {
  return native.finicityCode(status, contentType ?? '', body ?? '')
}

const oauth1 = require('./oauth1.js')

const oauth2 = require('./oauth2.js')

const encryption = require('./encryption.js')

module.exports = {
  PartnerAuth,
  ClientCredentials: oauth2.ClientCredentials,
  OAuth1Signer: oauth1.OAuth1Signer,
  SigningKey: oauth1.SigningKey,
  loadPkcs12: oauth1.loadPkcs12,
  loadPem: oauth1.loadPem,
  signatureBaseString: oauth1.signatureBaseString,
  PayloadEncryption: encryption.PayloadEncryption,
  MastercardAuth: encryption.MastercardAuth,
  EncryptionCertificate: encryption.EncryptionCertificate,
  DecryptionKey: encryption.DecryptionKey,
  loadEncryptionCertificate: encryption.loadEncryptionCertificate,
  loadDecryptionKey: encryption.loadDecryptionKey,
  bodyHash: oauth1.bodyHash,
  MemoryStore,
  FileStore: wrappedFileStore,
  RedisStore: SharedRedisStore,
  rejectsToken,
  finicityCode,
  version: native.version(),
  FinauthError: errors.FinauthError,
  ConfigError: errors.ConfigError,
  InvalidCredentialsError: errors.InvalidCredentialsError,
  AccountLockedError: errors.AccountLockedError,
  LockoutGuardError: errors.LockoutGuardError,
  RateLimitedError: errors.RateLimitedError,
  UnauthorizedError: errors.UnauthorizedError,
  ServerError: errors.ServerError,
  TransportError: errors.TransportError,
  TimeoutError: errors.TimeoutError,
  StoreError: errors.StoreError,
  SigningKeyError: errors.SigningKeyError,
  EncryptionError: errors.EncryptionError,
  Exchange: exchange.Exchange,
}
module.exports.default = module.exports
