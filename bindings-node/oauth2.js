'use strict'
// OAuth 2.0 client credentials over the native addon: `ClientCredentials` (redacted in `inspect`
// and JSON) with `fetch`, which adds `Authorization` (and a fresh DPoP proof) to each request,
// learns every `DPoP-Nonce`, retries once on a `use_dpop_nonce` challenge and once, after
// invalidating the token, on any other 401.

const { inspect } = require('node:util')
const native = require('./native.js')
const { ConfigError, settle, rethrow, sync } = require('./errors.js')
const { SigningKey, nativeKey } = require('./oauth1.js')
const exchange = require('./exchange.js')

const kNative = Symbol('finauth.native')

function headerObject(headers) {
  const out = {}
  headers.forEach((v, k) => {
    out[k] = v
  })
  return out
}

/**
 * OAuth 2.0 client credentials: one token per (token URL, client id, scope set), refreshed at 75 %
 * of its lifetime, shared by every caller (and, with a FileStore/RedisStore, every process),
 * behind the lockout guard; DPoP-bound tokens with `dpop: true` (Mastercard's FAPI 2.0 profile).
 */
class ClientCredentials {
  #native

  constructor(options) {
    if (options !== null && typeof options === 'object' && options[kNative] instanceof native.NativeClientCredentials) {
      this.#native = options[kNative]
    } else {
      // The native constructor reads and checks the options (`src/options.rs`); a SigningKey
      // travels as the native key it wraps.
      const key = options !== null && typeof options === 'object' ? nativeKey(options.signingKey) : null
      this.#native = sync(() => new native.NativeClientCredentials(options, key))
    }
  }

  /** Build from the FINAUTH_OAUTH2_* environment variables. */
  static fromEnv() {
    return new ClientCredentials({ [kNative]: sync(() => native.NativeClientCredentials.fromEnv()) })
  }

  /** A valid access token (one request for every concurrent caller). */
  token() {
    const fresh = this.#native.freshToken()
    if (fresh !== null) return Promise.resolve(fresh)
    return this.#native.token().then(settle, rethrow)
  }

  /**
   * `{ Authorization: 'Bearer …' }`, or with DPoP `{ Authorization: 'DPoP …', DPoP: <proof> }`
   * for one request (`url` is required with DPoP).
   */
  headers(method = 'GET', url) {
    if (url === undefined || url === null) {
      if (this.tokenType === 'DPoP') {
        return Promise.reject(new ConfigError('headers(method, url): url is needed for DPoP-bound tokens'))
      }
      url = this.tokenUrl
    }
    if (typeof method !== 'string' || typeof url !== 'string') {
      return Promise.reject(new TypeError('finauth: headers(method, url) takes strings'))
    }
    return this.#native.headers(method, url).then(settle, rethrow)
  }

  /** Remember the `DPoP-Nonce` of a response from `url` (a `Headers` or a plain object). */
  learnNonce(url, headers) {
    const obj = headers && typeof headers.forEach === 'function' && !(headers instanceof Array) ? headerObject(headers) : { ...(headers || {}) }
    for (const k of Object.keys(obj)) obj[k] = String(obj[k])
    return this.#native.learnNonce(String(url), obj)
  }

  /** After a resource rejected `token` (401): drop it if still current. */
  invalidate(token) {
    if (typeof token !== 'string') return Promise.reject(new TypeError('finauth: invalidate(token) needs a string'))
    return this.#native.invalidate(token).then(undefined, rethrow)
  }

  /**
   * The token endpoint, read now from the issuer's metadata (otherwise the first token request
   * reads it), so that a configuration the server does not support fails at start-up.
   */
  discover() {
    return this.#native.discover().then(settle, rethrow)
  }

  resetLockoutGuard() {
    return this.#native.resetLockoutGuard().then(settle, rethrow)
  }

  guardStatus() {
    return this.#native.guardStatus().then((g) => {
      const s = settle(g)
      return { ...s, locked: s.locked ?? null }
    }, rethrow)
  }

  stats() {
    return { ...this.#native.stats() }
  }

  /** `Bearer` or `DPoP`. */
  get tokenType() {
    return this.#native.tokenType
  }

  /** The token endpoint: configured, or discovered (the issuer until discovery ran). */
  get tokenUrl() {
    return this.#native.tokenUrl
  }

  /** The configured issuer, or null when `tokenUrl` was given. */
  get issuer() {
    return this.#native.issuer ?? null
  }

  get clientId() {
    return this.#native.clientId
  }

  get authMethod() {
    return this.#native.authMethod
  }

  get scope() {
    return this.#native.scope ?? null
  }

  /** One logical request under finauth's request policy (see `Exchange`). */
  exchange(method, url) {
    return exchange.open(this.#native, method, url)
  }

  /**
   * `fetch` with `Authorization` (and DPoP), as a loop over `exchange()`: a nonce challenge is
   * resent once with the nonce, any other 401 invalidates the token and is resent once.
   */
  fetch(input, init) {
    return exchange.fetchWith(this, input, init)
  }

  toString() {
    return `ClientCredentials(${JSON.stringify(this.toJSON())})`
  }

  toJSON() {
    return { tokenUrl: this.tokenUrl, issuer: this.issuer, clientId: this.clientId, authMethod: this.authMethod, scope: this.scope, tokenType: this.tokenType }
  }

  [inspect.custom](depth, options) {
    return `ClientCredentials ${inspect(this.toJSON(), options)}`
  }
}
Object.defineProperty(ClientCredentials.prototype, Symbol.toStringTag, { value: 'ClientCredentials' })

module.exports = { ClientCredentials }
