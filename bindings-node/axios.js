'use strict'
// `finauth/axios`: interceptors that give every request of an axios instance the Finicity headers
// and, on a 401 (or 500) whose body carries code 10022 or 10023, invalidate the token and resend
// the request once; a 24302 rejects with AccountLockedError. axios is an optional peer dependency: this file never requires it.

const { PartnerAuth, OAuth1Signer, ClientCredentials } = require('./index.js')

const APP_KEY = 'Finicity-App-Key'
const APP_TOKEN = 'Finicity-App-Token'
const kResent = Symbol('finauth.resent')

function setHeader(config, name, value) {
  const h = config.headers
  if (h && typeof h.set === 'function') h.set(name, value)
  else config.headers = { ...(h || {}), [name]: value }
}

function getHeader(headers, name) {
  if (!headers) return undefined
  if (typeof headers.get === 'function') {
    const v = headers.get(name)
    return v == null ? undefined : String(v)
  }
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase())
  return key === undefined ? undefined : String(headers[key])
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
 * Attach finauth to an axios instance (or the default `axios`). Returns a function that removes
 * both interceptors again.
 */
function attachFinicityAuth(axios, auth) {
  if (!axios || !axios.interceptors || typeof axios.request !== 'function') {
    throw new TypeError('finauth/axios: attachFinicityAuth(axios, auth) needs an axios instance')
  }
  if (!(auth instanceof PartnerAuth)) {
    throw new TypeError('finauth/axios: attachFinicityAuth(axios, auth) needs a finauth PartnerAuth')
  }
  const request = axios.interceptors.request.use(async (config) => {
    const h = await auth.headers()
    setHeader(config, APP_KEY, h[APP_KEY])
    setHeader(config, APP_TOKEN, h[APP_TOKEN])
    return config
  })
  const response = axios.interceptors.response.use(undefined, async (error) => {
    const resp = error && error.response
    const config = error && error.config
    if (!resp || !config || resp.status < 400) throw error
    const contentType = getHeader(resp.headers, 'content-type') ?? ''
    // Rejects with AccountLockedError on 24302 (recorded for every caller sharing the store).
    if (!(await auth.observeResponse(resp.status, contentType, bodyText(resp.data))) || config[kResent]) throw error
    const sent = getHeader(config.headers, APP_TOKEN)
    if (sent !== undefined) await auth.invalidate(sent)
    config[kResent] = true
    return axios.request(config)
  })
  return function detach() {
    axios.interceptors.request.eject(request)
    axios.interceptors.response.eject(response)
  }
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
  const kNonce = Symbol('finauth.nonceRetry')
  const kToken = Symbol('finauth.tokenRetry')
  const fullUrl = (config) => (typeof axios.getUri === 'function' ? axios.getUri(config) : config.url)
  const plain = (headers) => {
    const out = {}
    if (!headers) return out
    const obj = typeof headers.toJSON === 'function' ? headers.toJSON() : headers
    for (const [k, v] of Object.entries(obj)) if (v != null) out[k] = String(v)
    return out
  }
  const request = axios.interceptors.request.use(async (config) => {
    const h = await cc.headers((config.method || 'get').toUpperCase(), fullUrl(config))
    for (const [k, v] of Object.entries(h)) setHeader(config, k, v)
    return config
  })
  const response = axios.interceptors.response.use(
    (resp) => {
      if (resp && resp.config) cc.learnNonce(fullUrl(resp.config), plain(resp.headers))
      return resp
    },
    async (error) => {
      const resp = error && error.response
      const config = error && error.config
      if (!resp || !config) throw error
      cc.learnNonce(fullUrl(config), plain(resp.headers))
      if (resp.status !== 401) throw error
      const challenge = (getHeader(resp.headers, 'www-authenticate') || '').includes('use_dpop_nonce')
      if (challenge) {
        if (config[kNonce]) throw error
        config[kNonce] = true
      } else {
        if (config[kToken]) throw error
        config[kToken] = true
        const sent = getHeader(config.headers, 'Authorization')
        if (sent !== undefined) await cc.invalidate(sent.slice(sent.indexOf(' ') + 1))
      }
      return axios.request(config)
    },
  )
  return function detach() {
    axios.interceptors.request.eject(request)
    axios.interceptors.response.eject(response)
  }
}

module.exports = { attachFinicityAuth, attachOAuth1Signer, attachClientCredentials }
module.exports.default = module.exports
