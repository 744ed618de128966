'use strict'
// `finauth/axios`: interceptors that are an I/O loop over finauth's request policy (`Exchange`):
// Finicity headers or OAuth 2.0 `Authorization` on every request, one resend on a rejected token or
// a DPoP nonce challenge, AccountLockedError on 24302. axios is an optional peer dependency: this
// file never requires it.

const { PartnerAuth, OAuth1Signer, ClientCredentials, MastercardAuth } = require('./index.js')

// A request's exchange rides on its config (a string key: axios keeps custom config fields when
// it merges configs for a resend, and drops symbol keys).
const EXCHANGE = 'finauthExchange'

function setHeader(config, name, value) {
  const h = config.headers
  if (h && typeof h.set === 'function') h.set(name, value)
  else config.headers = { ...(h || {}), [name]: value }
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
 * `prepare()`, and every answer, success or error, is judged by `observe()`.
 */
function attachExchange(axios, owner) {
  const fullUrl = (config) => (typeof axios.getUri === 'function' ? axios.getUri(config) : config.url)
  const request = axios.interceptors.request.use(async (config) => {
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

/**
 * Attach finauth to an axios instance (or the default `axios`): every request gets the Finicity
 * headers; a rejected token (10022/10023) is invalidated and the request resent once; a 24302
 * rejects with AccountLockedError. Returns a function that removes both interceptors again.
 */
function attachFinicityAuth(axios, auth) {
  if (!axios || !axios.interceptors || typeof axios.request !== 'function') {
    throw new TypeError('finauth/axios: attachFinicityAuth(axios, auth) needs an axios instance')
  }
  if (!(auth instanceof PartnerAuth)) {
    throw new TypeError('finauth/axios: attachFinicityAuth(axios, auth) needs a finauth PartnerAuth')
  }
  return attachExchange(axios, auth)
}

/**
 * Sign every request of an axios instance with Mastercard OAuth 1.0a (the asynchronous
 * `signer.authorizationHeader`, off the event loop). The body is serialised here (objects as
 * JSON) so that the bytes hashed are the bytes sent. Returns a function that removes the
 * interceptor.
 */
function attachOAuth1Signer(axios, signer) {
  if (!axios || !axios.interceptors || typeof axios.request !== 'function') {
    throw new TypeError('finauth/axios: attachOAuth1Signer(axios, signer) needs an axios instance')
  }
  if (!(signer instanceof OAuth1Signer)) {
    throw new TypeError('finauth/axios: attachOAuth1Signer(axios, signer) needs a finauth OAuth1Signer')
  }
  const request = axios.interceptors.request.use(async (config) => {
    let data = config.data
    if (data !== undefined && data !== null && typeof data !== 'string' && !ArrayBuffer.isView(data) && !(data instanceof ArrayBuffer)) {
      data = JSON.stringify(data)
      config.data = data
      const h = config.headers
      const hasType = h && (typeof h.has === 'function' ? h.has('Content-Type') : Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
      if (!hasType) setHeader(config, 'Content-Type', 'application/json')
    }
    const body = data === undefined || data === null ? '' : data instanceof ArrayBuffer ? new Uint8Array(data) : data
    const method = (config.method || 'get').toUpperCase()
    const uri = axios.getUri(config)
    setHeader(config, 'Authorization', await signer.authorizationHeader(method, uri, body))
    return config
  })
  return function detach() {
    axios.interceptors.request.eject(request)
  }
}

/**
 * Give every request of an axios instance OAuth 2.0 `Authorization` (and a fresh DPoP proof for
 * its method and URL). Every `DPoP-Nonce` is remembered; a 401 asking for a nonce is resent once,
 * any other 401 invalidates the token and is resent once. Returns a function that removes both
 * interceptors.
 */
function attachClientCredentials(axios, cc) {
  if (!axios || !axios.interceptors || typeof axios.request !== 'function') {
    throw new TypeError('finauth/axios: attachClientCredentials(axios, cc) needs an axios instance')
  }
  if (!(cc instanceof ClientCredentials)) {
    throw new TypeError('finauth/axios: attachClientCredentials(axios, cc) needs a finauth ClientCredentials')
  }
  return attachExchange(axios, cc)
}

// What the caller asked axios to make of the answer, kept while finauth reads the raw bytes.
const RESPONSE_TYPE = 'finauthResponseType'

/**
 * Give every request of an axios instance Mastercard signing and payload encryption in core's
 * order: the body is encrypted, then signed over the exact bytes sent; the answer is decrypted
 * before the caller sees `response.data` (parsed as JSON as axios would). Returns a function that
 * removes both interceptors.
 */
function attachMastercardAuth(axios, auth) {
  if (!axios || !axios.interceptors || typeof axios.request !== 'function') {
    throw new TypeError('finauth/axios: attachMastercardAuth(axios, auth) needs an axios instance')
  }
  if (!(auth instanceof MastercardAuth)) {
    throw new TypeError('finauth/axios: attachMastercardAuth(axios, auth) needs a finauth MastercardAuth')
  }
  const request = axios.interceptors.request.use(async (config) => {
    let data = config.data
    if (data !== undefined && data !== null && typeof data !== 'string' && !ArrayBuffer.isView(data) && !(data instanceof ArrayBuffer)) {
      data = JSON.stringify(data)
      const h = config.headers
      const hasType = h && (typeof h.has === 'function' ? h.has('Content-Type') : Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
      if (!hasType) setHeader(config, 'Content-Type', 'application/json')
    }
    const body = data === undefined || data === null ? '' : data instanceof ArrayBuffer ? new Uint8Array(data) : data
    const p = await auth.prepare((config.method || 'get').toUpperCase(), axios.getUri(config), body)
    config.data = p.bodyChanged ? p.body : data
    for (const [k, v] of Object.entries(p.headers)) setHeader(config, k, v)
    // Read the answer as bytes; the response interceptor decrypts, then parses.
    config[RESPONSE_TYPE] = config.responseType || 'json'
    config.responseType = 'arraybuffer'
    config.transformResponse = [(raw) => raw]
    return config
  })
  const response = axios.interceptors.response.use(async (resp) => {
    const wanted = resp.config && resp.config[RESPONSE_TYPE]
    if (!wanted) return resp
    const raw = resp.data == null ? Buffer.alloc(0) : Buffer.from(resp.data)
    const clear = await auth.response(raw, resp.headers)
    if (wanted === 'arraybuffer') resp.data = clear.buffer.slice(clear.byteOffset, clear.byteOffset + clear.byteLength)
    else if (wanted === 'text') resp.data = clear.toString('utf8')
    else {
      const text = clear.toString('utf8')
      try {
        resp.data = text.length ? JSON.parse(text) : text
      } catch {
        resp.data = text
      }
    }
    return resp
  })
  return function detach() {
    axios.interceptors.request.eject(request)
    axios.interceptors.response.eject(response)
  }
}

module.exports = { attachFinicityAuth, attachOAuth1Signer, attachClientCredentials, attachMastercardAuth }
module.exports.default = module.exports
