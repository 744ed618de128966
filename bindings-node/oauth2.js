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

const STRINGS = ['tokenUrl', 'clientId', 'clientSecret', 'authMethod', 'scope', 'keyId', 'audience', 'appKey']
const NUMBERS = ['defaultLifetime', 'maxFailedAttempts', 'timeout']
const BOOLS = ['dpop', 'allowInsecureLoopback']
const KNOWN = new Set([...STRINGS, ...NUMBERS, ...BOOLS, 'signingKey', 'extraParams', 'store'])
const kNative = Symbol('finauth.native')

function nativeOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('finauth: new ClientCredentials(options) needs an options object')
  }
  const out = {}
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new ConfigError(`unknown option \`${key}\``)
  }
  for (const key of STRINGS) {
    const v = options[key]
    if (v === undefined || v === null) continue
    if (typeof v !== 'string') throw new TypeError(`finauth: option \`${key}\` must be a string`)
    out[key] = v
  }
  for (const key of NUMBERS) {
    const v = options[key]
    if (v === undefined || v === null) continue
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ConfigError(`${key} must be a non-negative number`)
    }
    out[key] = v
  }
  for (const key of BOOLS) {
    const v = options[key]
    if (v === undefined || v === null) continue
    if (typeof v !== 'boolean') throw new TypeError(`finauth: option \`${key}\` must be a boolean`)
    out[key] = v
  }
  if (options.extraParams !== undefined && options.extraParams !== null) {
    if (typeof options.extraParams !== 'object') throw new TypeError('finauth: option `extraParams` must be an object of strings')
    out.extraParams = {}
    for (const [k, v] of Object.entries(options.extraParams)) {
      if (typeof v !== 'string') throw new TypeError(`finauth: extraParams.${k} must be a string`)
      out.extraParams[k] = v
    }
  }
  let key = null
  if (options.signingKey !== undefined && options.signingKey !== null) {
    if (!(options.signingKey instanceof SigningKey)) {
      throw new TypeError('finauth: option `signingKey` must be a SigningKey (loadPem / loadPkcs12)')
    }
    key = nativeKey(options.signingKey)
  }
  let memory = null
  let file = null
  let redis = null
  const store = options.store
  if (store instanceof native.MemoryStore) memory = store
  else if (store instanceof native.FileStore) file = store
  else if (store instanceof native.RedisStore) redis = store
  else if (typeof store === 'string') out.storeSpec = store
  else if (store !== undefined && store !== null) {
    throw new TypeError('finauth: option `store` must be a MemoryStore, a FileStore, a RedisStore or a string')
  }
  return [out, key, memory, file, redis]
}

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
      const [opts, key, memory, file, redis] = nativeOptions(options)
      this.#native = sync(() => new native.NativeClientCredentials(opts, key, memory, file, redis))
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

  get tokenUrl() {
    return this.#native.tokenUrl
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
    return { tokenUrl: this.tokenUrl, clientId: this.clientId, authMethod: this.authMethod, scope: this.scope, tokenType: this.tokenType }
  }

  [inspect.custom](depth, options) {
    return `ClientCredentials ${inspect(this.toJSON(), options)}`
  }
}
Object.defineProperty(ClientCredentials.prototype, Symbol.toStringTag, { value: 'ClientCredentials' })

module.exports = { ClientCredentials }
