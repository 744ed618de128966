'use strict'
// Mastercard payload encryption over the native addon: `loadEncryptionCertificate`,
// `loadDecryptionKey` (redacted in `inspect` and JSON) and `PayloadEncryption`. The options are
// handed to core as one JSON object (core reads and checks them); the work is synchronous and
// short (an RSA operation and AES over the body).

const { inspect } = require('node:util')
const native = require('./native.js')
const { sync, settle, rethrow } = require('./errors.js')

const kNative = Symbol('finauth.native')
const kPayloadNative = Symbol('finauth.payloadNative')

function isBytes(v) {
  return Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v)
}

function toBuffer(v) {
  if (Buffer.isBuffer(v)) return v
  if (v instanceof ArrayBuffer) return Buffer.from(v)
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
}

function optString(name, v) {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new TypeError(`finauth: ${name} must be a string`)
  return v
}

/** Mastercard's public key (the Client Encryption Key certificate): requests are encrypted to it. */
class EncryptionCertificate {
  constructor(nativeCert) {
    if (!(nativeCert instanceof native.NativeEncryptionCertificate)) {
      throw new TypeError('finauth: use loadEncryptionCertificate() to get an EncryptionCertificate')
    }
    Object.defineProperty(this, kNative, { value: nativeCert })
  }

  /** SHA-256 of the public key's SubjectPublicKeyInfo DER, hex (the JWE `kid`). */
  get keyFingerprint() {
    return this[kNative].keyFingerprint
  }

  /** SHA-256 of the certificate's DER, hex; null for a bare public key. */
  get certificateFingerprint() {
    return this[kNative].certificateFingerprint ?? null
  }

  get bits() {
    return this[kNative].bits
  }

  toString() {
    return `EncryptionCertificate(RSA-${this.bits}, ${this.keyFingerprint})`
  }

  [inspect.custom]() {
    return this.toString()
  }
}

/** Your RSA private key (the Mastercard Encryption Key): responses are decrypted with it. */
class DecryptionKey {
  constructor(nativeKey) {
    if (!(nativeKey instanceof native.NativeDecryptionKey)) {
      throw new TypeError('finauth: use loadDecryptionKey() to get a DecryptionKey')
    }
    Object.defineProperty(this, kNative, { value: nativeKey })
  }

  get keyFingerprint() {
    return this[kNative].keyFingerprint
  }

  get bits() {
    return this[kNative].bits
  }

  toString() {
    return `DecryptionKey(RSA-${this.bits}, [REDACTED])`
  }

  toJSON() {
    return { type: 'DecryptionKey', bits: this.bits, key: '[REDACTED]' }
  }

  [inspect.custom]() {
    return this.toString()
  }
}

/** PEM or DER X.509 (SHA-1 signed ones too), or a PEM public key: a path, PEM text or bytes. */
function loadEncryptionCertificate(source) {
  if (typeof source === 'string') {
    const bytes = source.includes('-----BEGIN ') ? Buffer.from(source, 'utf8') : null
    return new EncryptionCertificate(
      sync(() => (bytes ? native.loadEncryptionCertificateBytes(bytes) : native.loadEncryptionCertificateFile(source))),
    )
  }
  if (isBytes(source)) return new EncryptionCertificate(sync(() => native.loadEncryptionCertificateBytes(toBuffer(source))))
  throw new TypeError('finauth: loadEncryptionCertificate(source) needs a path, PEM text or a Buffer')
}

/** PKCS#12 (password, alias), PEM or DER (PKCS#1, PKCS#8, encrypted PKCS#8): a path, PEM text or bytes. */
function loadDecryptionKey(source, password, alias) {
  password = optString('loadDecryptionKey password', password)
  alias = optString('loadDecryptionKey alias', alias)
  if (typeof source === 'string') {
    if (source.includes('-----BEGIN ')) {
      return new DecryptionKey(sync(() => native.loadDecryptionKeyBytes(Buffer.from(source, 'utf8'), password, alias)))
    }
    return new DecryptionKey(sync(() => native.loadDecryptionKeyFile(source, password, alias)))
  }
  if (isBytes(source)) return new DecryptionKey(sync(() => native.loadDecryptionKeyBytes(toBuffer(source), password, alias)))
  throw new TypeError('finauth: loadDecryptionKey(source, password?, alias?) needs a path, PEM text or a Buffer')
}

const KEYS = new Set(['scheme', 'encryptionCertificate', 'decryptionKey'])

function lowerCaseHeaders(headers) {
  const out = {}
  if (headers === undefined || headers === null) return out
  const put = (k, v) => {
    out[String(k).toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v)
  }
  if (typeof headers.forEach === 'function' && !Array.isArray(headers)) headers.forEach((v, k) => put(k, v))
  else for (const [k, v] of Object.entries(headers)) if (v !== undefined && v !== null) put(k, v)
  return out
}

/**
 * Mastercard payload encryption (JWE, or the field-level scheme with `scheme: 'fle'`) at JSON
 * paths, with the semantics of Mastercard's client-encryption libraries. Options besides the
 * keys and the scheme: `encryptionPaths`, `decryptionPaths` (`{in: out}`), `encryptedValueFieldName`,
 * `keyId`, `ivSize`, and for `fle` `fieldEncoding`, `oaep`, `fieldNames`, `headerMode`.
 */
class PayloadEncryption {
  #native

  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('finauth: PayloadEncryption(options) needs an object')
    const { scheme = 'jwe', encryptionCertificate, decryptionKey } = options
    if (encryptionCertificate !== undefined && !(encryptionCertificate instanceof EncryptionCertificate)) {
      throw new TypeError('finauth: encryptionCertificate must come from loadEncryptionCertificate()')
    }
    if (decryptionKey !== undefined && !(decryptionKey instanceof DecryptionKey)) {
      throw new TypeError('finauth: decryptionKey must come from loadDecryptionKey()')
    }
    const rest = Object.fromEntries(Object.entries(options).filter(([k]) => !KEYS.has(k)))
    this.#native = sync(
      () =>
        new native.NativePayloadEncryption(
          String(scheme),
          JSON.stringify(rest),
          encryptionCertificate?.[kNative],
          decryptionKey?.[kNative],
        ),
    )
  }

  get [kPayloadNative]() {
    return this.#native
  }

  /** `'jwe'` or `'fle'`. */
  get scheme() {
    return this.#native.scheme
  }

  /** Encrypt a JSON payload: a string gives a string, bytes give a Buffer. */
  encryptPayload(payload) {
    const r = this.encryptRequest(payload)
    if (Object.keys(r.headers).length > 0) {
      throw new TypeError('finauth: the header mode needs encryptRequest() (its parameters travel in headers)')
    }
    return typeof payload === 'string' ? r.body.toString('utf8') : r.body
  }

  /** Decrypt a JSON payload (unchanged if nothing is encrypted): a string gives a string. */
  decryptPayload(payload) {
    const out = this.decryptResponse(payload, {})
    return typeof payload === 'string' ? out.toString('utf8') : out
  }

  /** `{ body: Buffer, headers }`: the headers to set (the field-level header mode). */
  encryptRequest(body) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : isBytes(body) ? toBuffer(body) : null
    if (bytes === null) throw new TypeError('finauth: the payload must be a string, a Buffer or a Uint8Array')
    const r = sync(() => this.#native.encryptRequest(bytes))
    return { body: r.body, headers: { ...r.headers } }
  }

  /** The decrypted body (a Buffer); `headers` (a `Headers` or an object) carry the header mode's parameters. */
  decryptResponse(body, headers) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : isBytes(body) ? toBuffer(body) : null
    if (bytes === null) throw new TypeError('finauth: the payload must be a string, a Buffer or a Uint8Array')
    return sync(() => this.#native.decryptResponse(bytes, lowerCaseHeaders(headers)))
  }

  toString() {
    return this.#native.describe()
  }

  [inspect.custom]() {
    return this.toString()
  }
}

/**
 * Signing and payload encryption of Mastercard API calls, in core's order: `prepare` encrypts a
 * non-empty body, then signs the bytes it returns; `response` decrypts an answer that carries
 * encrypted values and leaves anything else as it came. `fetch` does both around one request.
 * Both steps run off the event loop.
 */
class MastercardAuth {
  #native

  constructor({ signer, encryption } = {}) {
    const { OAuth1Signer } = require('./oauth1.js')
    if (signer !== undefined && !(signer instanceof OAuth1Signer)) throw new TypeError('finauth: MastercardAuth signer must be an OAuth1Signer')
    if (encryption !== undefined && !(encryption instanceof PayloadEncryption)) {
      throw new TypeError('finauth: MastercardAuth encryption must be a PayloadEncryption')
    }
    this.#native = sync(
      () => new native.NativeMastercardAuth(signer && OAuth1Signer.nativeOf(signer), encryption && encryption[kPayloadNative]),
    )
  }

  /** `{ body, headers, bodyChanged }`: the body to send and the headers to set (replacing). */
  prepare(method, url, body) {
    const bytes = body === undefined || body === null ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body, 'utf8') : isBytes(body) ? toBuffer(body) : null
    if (bytes === null) return Promise.reject(new TypeError('finauth: the body must be a string, a Buffer or a Uint8Array'))
    return this.#native.prepare(String(method), String(url), bytes).then(settle, rethrow)
  }

  /** The answer's body (a Buffer) as the caller should see it. */
  response(body, headers) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : isBytes(body) ? toBuffer(body) : Buffer.alloc(0)
    return this.#native.response(bytes, lowerCaseHeaders(headers)).then(settle, rethrow)
  }

  /** `fetch`, with the body encrypted and signed and the answer decrypted (its headers kept). */
  async fetch(input, init) {
    const req = new Request(input, init)
    const body = req.body === null ? Buffer.alloc(0) : Buffer.from(await req.clone().arrayBuffer())
    const p = await this.prepare(req.method, req.url, body)
    const headers = new Headers(req.headers)
    for (const [k, v] of Object.entries(p.headers)) headers.set(k, v)
    if (p.bodyChanged) headers.set('Content-Length', String(p.body.length))
    const resp = await globalThis.fetch(req.url, {
      method: req.method,
      headers,
      body: req.body === null ? undefined : p.body,
      redirect: req.redirect,
      signal: req.signal,
    })
    return decryptedResponse(this, resp)
  }
}

/** A fetch `Response` whose body is `auth.response(...)` of `resp`'s (its status and headers kept). */
async function decryptedResponse(auth, resp) {
  const raw = Buffer.from(await resp.arrayBuffer())
  const clear = await auth.response(raw, resp.headers)
  const out = new Headers(resp.headers)
  if (clear.length !== raw.length) {
    out.delete('content-length')
    out.delete('content-encoding')
  }
  const noBody = resp.status === 204 || resp.status === 304 || (resp.status >= 100 && resp.status < 200)
  return new Response(noBody ? null : clear, { status: resp.status, statusText: resp.statusText, headers: out })
}

module.exports = { PayloadEncryption, EncryptionCertificate, DecryptionKey, MastercardAuth, loadEncryptionCertificate, loadDecryptionKey, decryptedResponse }
