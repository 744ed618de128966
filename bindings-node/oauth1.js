'use strict'
// Mastercard OAuth 1.0a signing over the native addon: `loadPkcs12`, `loadPem`, `SigningKey`
// (redacted in `inspect` and JSON) and `OAuth1Signer`. `authorizationHeader` signs on libuv's
// thread pool and returns a Promise (the event loop keeps running); `authorizationHeaderSync`
// signs on the calling thread. `signer.fetch` and `finauth/axios`'s `attachOAuth1Signer` use the
// asynchronous one, over the exact body bytes sent.

const { inspect } = require('node:util')
const native = require('./native.js')
const { ConfigError, settle, rethrow, sync } = require('./errors.js')

const kNative = Symbol('finauth.native')

function checkString(name, v) {
  if (typeof v !== 'string') throw new TypeError(`finauth: ${name} must be a string`)
}

function checkOptString(name, v) {
  if (v !== undefined && v !== null) checkString(name, v)
  return v ?? undefined
}

function isBytes(v) {
  return Buffer.isBuffer(v) || v instanceof Uint8Array || v instanceof ArrayBuffer
}

function toBuffer(v) {
  if (Buffer.isBuffer(v)) return v
  if (v instanceof ArrayBuffer) return Buffer.from(v)
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
  return Buffer.from(String(v), 'utf8')
}

/** The body as the exact bytes sent: a string is UTF-8; none is empty. */
function bodyBytes(body, what = 'body') {
  if (body === undefined || body === null) return Buffer.alloc(0)
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (isBytes(body) || ArrayBuffer.isView(body)) return toBuffer(body)
  throw new TypeError(`finauth: ${what} must be a string, a Buffer or a Uint8Array`)
}

/** An RSA private key for OAuth 1.0a signing, parsed once. Never shows its material. */
class SigningKey {
  constructor(nativeKey) {
    if (!(nativeKey instanceof native.NativeSigningKey)) {
      throw new TypeError('finauth: use loadPkcs12() or loadPem() to get a SigningKey')
    }
    Object.defineProperty(this, kNative, { value: nativeKey })
  }

  /** The key size in bits. */
  get bits() {
    return this[kNative].bits
  }

  /** `RSA-2048`, `EC-P256`, ... */
  get algorithm() {
    return this[kNative].algorithm
  }

  /** The public half as a JWK object (e.g. to register the key with a server). */
  publicJwk() {
    return JSON.parse(this[kNative].publicJwk())
  }

  toString() {
    return `SigningKey(${this.algorithm}, [REDACTED])`
  }

  toJSON() {
    return { type: 'SigningKey', bits: this.bits, key: '[REDACTED]' }
  }

  [inspect.custom]() {
    return this.toString()
  }
}
Object.defineProperty(SigningKey.prototype, Symbol.toStringTag, { value: 'SigningKey' })

/**
 * A PKCS#12 key store (`.p12`, as Mastercard Developers issues): a file path or its bytes, the
 * store password and optionally the key's alias.
 */
function loadPkcs12(pathOrBuffer, password, alias) {
  checkString('loadPkcs12 password', password)
  alias = checkOptString('loadPkcs12 alias', alias)
  if (typeof pathOrBuffer === 'string') {
    return new SigningKey(sync(() => native.loadPkcs12File(pathOrBuffer, password, alias)))
  }
  if (!isBytes(pathOrBuffer) && !ArrayBuffer.isView(pathOrBuffer)) {
    throw new TypeError('finauth: loadPkcs12(pathOrBuffer, password, alias?) needs a path or a Buffer')
  }
  return new SigningKey(sync(() => native.loadPkcs12Bytes(toBuffer(pathOrBuffer), password, alias)))
}

/**
 * A PEM key (PKCS#1, PKCS#8, or encrypted PKCS#8 with `password`): PEM text, a Buffer of it, or
 * a file path (a string without `-----BEGIN `).
 */
function loadPem(pathOrStringOrBuffer, password) {
  password = checkOptString('loadPem password', password)
  const v = pathOrStringOrBuffer
  if (typeof v === 'string') {
    if (v.includes('-----BEGIN ')) return new SigningKey(sync(() => native.loadPemText(v, password)))
    return new SigningKey(sync(() => native.loadKeyFile(v, password, undefined)))
  }
  if (isBytes(v) || ArrayBuffer.isView(v)) {
    const text = toBuffer(v).toString('utf8')
    return new SigningKey(sync(() => native.loadPemText(text, password)))
  }
  throw new TypeError('finauth: loadPem(pathOrStringOrBuffer, password?) needs PEM text, a Buffer or a path')
}

const METHODS = new Set(['RSA-SHA256', 'RSA-PSS'])
const KNOWN = new Set(['consumerKey', 'key', 'method'])

/** Mastercard OAuth 1.0a signer (one-legged, with oauth_body_hash), byte-identical to the Java reference. */
class OAuth1Signer {
  #native

  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('finauth: new OAuth1Signer({ consumerKey, key, method }) needs an options object')
    }
    for (const k of Object.keys(options)) {
      if (!KNOWN.has(k)) throw new ConfigError(`unknown option \`${k}\``)
    }
    checkString('OAuth1Signer option `consumerKey`', options.consumerKey)
    if (!(options.key instanceof SigningKey)) {
      throw new TypeError('finauth: OAuth1Signer option `key` must be a SigningKey (loadPkcs12 / loadPem)')
    }
    const method = options.method ?? 'RSA-SHA256'
    if (!METHODS.has(method)) throw new ConfigError('method must be "RSA-SHA256" or "RSA-PSS"')
    this.#native = sync(() => new native.NativeOAuth1Signer(options.consumerKey, options.key[kNative], method))
    this.method = method
    Object.freeze(this)
  }

  get consumerKey() {
    return this.#native.consumerKey
  }

  /** The native signer (for `MastercardAuth`, which signs in core). */
  static nativeOf(signer) {
    return signer.#native
  }

  /** The `Authorization` value for one request, signed off the event loop (a Promise). */
  authorizationHeader(method, uri, body) {
    checkString('method', method)
    checkString('uri', uri)
    let bytes
    try {
      bytes = bodyBytes(body)
    } catch (e) {
      return Promise.reject(e)
    }
    return this.#native.authorizationHeader(method, uri, bytes).then(settle, rethrow)
  }

  /** The `Authorization` value, signed on the calling thread (about 1 ms of CPU). */
  authorizationHeaderSync(method, uri, body) {
    checkString('method', method)
    checkString('uri', uri)
    const bytes = bodyBytes(body)
    return sync(() => this.#native.authorizationHeaderSync(method, uri, bytes))
  }

  /** For tests: the header with a fixed nonce and timestamp. */
  authorizationHeaderWith(method, uri, body, nonce, timestamp) {
    checkString('method', method)
    checkString('uri', uri)
    checkString('nonce', nonce)
    const bytes = bodyBytes(body)
    return sync(() => this.#native.authorizationHeaderWith(method, uri, bytes, nonce, timestamp))
  }

  /**
   * `fetch` with an OAuth 1.0a `Authorization` header, signed (asynchronously) over the exact
   * body bytes sent.
   */
  async fetch(input, init) {
    const req = new Request(input, init)
    const body = req.body === null ? Buffer.alloc(0) : Buffer.from(await req.clone().arrayBuffer())
    const header = await this.authorizationHeader(req.method, req.url, body)
    const headers = new Headers(req.headers)
    headers.set('Authorization', header)
    return globalThis.fetch(req.url, {
      method: req.method,
      headers,
      body: req.body === null ? undefined : body,
      redirect: req.redirect,
      signal: req.signal,
    })
  }

  toString() {
    return `OAuth1Signer(consumerKey=${JSON.stringify(this.consumerKey)}, method=${this.method})`
  }

  toJSON() {
    return { consumerKey: this.consumerKey, method: this.method, key: '[REDACTED]' }
  }

  [inspect.custom](depth, options) {
    return `OAuth1Signer ${inspect(this.toJSON(), options)}`
  }
}
Object.defineProperty(OAuth1Signer.prototype, Symbol.toStringTag, { value: 'OAuth1Signer' })

/**
 * The OAuth 1.0a signature base string of a request, given its `oauth_*` parameters (all but
 * `oauth_signature`): for checking a signature independently.
 */
function signatureBaseString(method, uri, oauthParams) {
  checkString('method', method)
  checkString('uri', uri)
  if (oauthParams === null || typeof oauthParams !== 'object') {
    throw new TypeError('finauth: signatureBaseString(method, uri, oauthParams) needs an object of strings')
  }
  const params = {}
  for (const [k, v] of Object.entries(oauthParams)) {
    checkString(`oauthParams.${k}`, v)
    params[k] = v
  }
  return sync(() => native.signatureBaseString(method, uri, params))
}

/** Base64 SHA-256 of the body (the `oauth_body_hash` value). */
function bodyHash(body) {
  return native.bodyHash(bodyBytes(body))
}

/** The native key behind a `SigningKey` (for other façade files). */
function nativeKey(key) {
  return key instanceof SigningKey ? key[kNative] : null
}

module.exports = { SigningKey, OAuth1Signer, loadPkcs12, loadPem, signatureBaseString, bodyHash, bodyBytes, nativeKey }
