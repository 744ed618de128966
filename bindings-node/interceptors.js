'use strict'
// The axios interceptors behind `finauth/axios` and `finauth/openapi` (internal, not a public
// entry point). They move bytes only: which headers each attempt carries and whether an answer
// means "resend" are core's request policy (`Exchange`); signing, encryption and decryption are
// core's `MastercardAuth`. axios is an optional peer dependency: this file never requires it.

// State rides on a request's config under string keys: axios keeps custom config fields when it
// merges configs for a resend (`axios.request(config)`), and drops symbol keys.
const EXCHANGE = 'finauthExchange'
const MASTERCARD = 'finauthMastercard'

/** Set a header on an axios config, replacing any of the same name (case-insensitively). */
function setHeader(config, name, value) {
  const h = config.headers
  if (h && typeof h.set === 'function') {
    h.set(name, value)
  } else {
    const out = {}
    for (const [k, v] of Object.entries(h || {})) if (k.toLowerCase() !== name.toLowerCase()) out[k] = v
    out[name] = value
    config.headers = out
  }
}

function hasHeader(config, name) {
  const h = config.headers
  if (!h) return false
  if (typeof h.has === 'function') return h.has(name)
  return Object.keys(h).some((k) => k.toLowerCase() === name.toLowerCase())
}

function bodyText(data) {
  if (data == null) return ''
  if (typeof data === 'string') return data
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')
  try {
    return JSON.stringify(data)
  } catch {
    return ''
  }
}

/**
 * The axios interceptors as an I/O loop over core's request policy: each request gets its own
 * exchange (kept on its config across resends), the headers of each attempt come from
 * `prepare()`, and every answer, success or error, is judged by `observe()`. A resend is
 * `axios.request(config)`: the whole chain again, every request interceptor included.
 */
function attachExchange(axios, owner) {
  const fullUrl = (config) => (typeof axios.getUri === 'function' ? axios.getUri(config) : config.url)
  const request = axios.interceptors.request.use(async (config) => {
    // A ConfigError here (a relative URL, or Finicity's partner authentication endpoint) rejects
    // the call as it is.
    if (!config[EXCHANGE]) config[EXCHANGE] = owner.exchange((config.method || 'get').toUpperCase(), fullUrl(config))
    for (const [k, v] of Object.entries(await config[EXCHANGE].prepare())) setHeader(config, k, v)
    return config
  })
  const judge = async (resp, error) => {
    const config = (resp && resp.config) || (error && error.config)
    const ex = config && config[EXCHANGE]
    if (!resp || !ex) {
      if (error) throw error
      return resp
    }
    const body = ex.wantsBody(resp.status) ? bodyText(resp.data) : ''
    // Rejects with AccountLockedError (recorded for every caller) or UnauthorizedError.
    if (await ex.observe(resp.status, resp.headers, body)) return axios.request(config)
    if (error) throw error
    return resp
  }
  const response = axios.interceptors.response.use(
    (resp) => judge(resp, undefined),
    (error) => judge(error && error.response, error),
  )
  return function detach() {
    axios.interceptors.request.eject(request)
    axios.interceptors.response.eject(response)
  }
}

/** What a request's Mastercard step keeps across resends: the clear body, the answer type asked. */
class MastercardState {
  constructor(body, responseType) {
    this.body = body
    this.responseType = responseType
  }
}

function isStreamOrForm(data) {
  return (typeof data.pipe === 'function' && typeof data.on === 'function') || (typeof FormData !== 'undefined' && data instanceof FormData) || (typeof Blob !== 'undefined' && data instanceof Blob) || (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream)
}

/**
 * The request body as the bytes to sign (undefined: no body, signed as empty). Strings are
 * UTF-8, bytes as they are, URLSearchParams as axios would send them, other objects JSON (with a
 * JSON Content-Type unless one is set).
 */
function clearBody(config) {
  const data = config.data
  if (data === undefined || data === null) return undefined
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  if (Buffer.isBuffer(data)) return data
  if (data instanceof ArrayBuffer) return Buffer.from(data)
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof URLSearchParams) {
    if (!hasHeader(config, 'Content-Type')) setHeader(config, 'Content-Type', 'application/x-www-form-urlencoded;charset=utf-8')
    return Buffer.from(data.toString(), 'utf8')
  }
  if (isStreamOrForm(data)) {
    throw new TypeError('finauth: a signed or encrypted axios request needs a string, Buffer or JSON body (not a stream, Blob or FormData)')
  }
  if (!hasHeader(config, 'Content-Type')) setHeader(config, 'Content-Type', 'application/json')
  return Buffer.from(JSON.stringify(data), 'utf8')
}

/** The decrypted answer in the shape the caller asked axios for (JSON parsed as axios would). */
function shaped(clear, wanted) {
  if (wanted === 'arraybuffer') return clear.buffer.slice(clear.byteOffset, clear.byteOffset + clear.byteLength)
  if (wanted === 'text') return clear.toString('utf8')
  if (wanted === 'stream') return require('node:stream').Readable.from([clear])
  const text = clear.toString('utf8')
  try {
    return text.length ? JSON.parse(text) : text
  } catch {
    return text
  }
}

/**
 * Mastercard signing and payload encryption (a `MastercardAuth`) on every request of `axios`, in
 * core's order: `auth.prepare` encrypts the clear body and signs the bytes it returns, which
 * become `config.data` as a Buffer with an identity `transformRequest`, so the bytes signed are
 * the bytes sent (axios's default transform would re-encode a string that is not JSON, or trim
 * one that is). The clear body is kept on the config: a resend (the exchange's, through the whole
 * chain) is encrypted and signed afresh (a new nonce), never encrypted twice. With `decrypt`,
 * answers are read as bytes and `auth.response` gives `response.data` (errors' too).
 */
function attachMastercard(axios, auth, { decrypt = true } = {}) {
  const request = axios.interceptors.request.use(async (config) => {
    let st = config[MASTERCARD]
    if (!(st instanceof MastercardState)) {
      st = new MastercardState(clearBody(config), config.responseType || 'json')
      config[MASTERCARD] = st
    }
    const method = (config.method || 'get').toUpperCase()
    // The full URL (baseURL, path and params) as axios will send it, never a relative one.
    const p = await auth.prepare(method, axios.getUri(config), st.body === undefined ? Buffer.alloc(0) : st.body)
    config.data = p.bodyChanged ? p.body : st.body
    config.transformRequest = [(data) => data]
    for (const [k, v] of Object.entries(p.headers)) setHeader(config, k, v)
    if (decrypt) {
      config.responseType = 'arraybuffer'
      config.transformResponse = [(raw) => raw]
    }
    return config
  })
  if (!decrypt) {
    return function detach() {
      axios.interceptors.request.eject(request)
    }
  }
  const open = async (resp) => {
    const st = resp && resp.config && resp.config[MASTERCARD]
    if (!(st instanceof MastercardState) || resp.finauthDecrypted) return
    const raw = resp.data == null ? Buffer.alloc(0) : Buffer.from(resp.data)
    resp.data = shaped(await auth.response(raw, resp.headers), st.responseType)
    resp.finauthDecrypted = true
  }
  const response = axios.interceptors.response.use(
    async (resp) => {
      await open(resp)
      return resp
    },
    async (error) => {
      const resp = error && error.response
      if (resp) {
        try {
          await open(resp)
        } catch {
          // An error answer that is not a readable encrypted payload: shown as it came.
          const st = resp.config && resp.config[MASTERCARD]
          if (st instanceof MastercardState && resp.data != null && !resp.finauthDecrypted) {
            resp.data = shaped(Buffer.from(resp.data), st.responseType)
            resp.finauthDecrypted = true
          }
        }
      }
      throw error
    },
  )
  return function detach() {
    axios.interceptors.request.eject(request)
    axios.interceptors.response.eject(response)
  }
}

module.exports = { attachExchange, attachMastercard, setHeader, hasHeader, bodyText }
