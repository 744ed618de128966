'use strict'
// `finauth/axios`: interceptors that are an I/O loop over finauth's request policy (`Exchange`):
// Finicity headers or OAuth 2.0 `Authorization` on every request, one resend on a rejected token or
// a DPoP nonce challenge, AccountLockedError on 24302. axios is an optional peer dependency: this
// file never requires it.

const { PartnerAuth, OAuth1Signer, ClientCredentials, MastercardAuth } = require('./index.js')
const { attachExchange, attachMastercard, setHeader } = require('./interceptors.js')

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

/**
 * Give every request of an axios instance Mastercard signing and payload encryption in core's
 * order: the body is encrypted, then signed over the exact bytes sent (the config's data becomes
 * those bytes); the answer is decrypted before the caller sees `response.data` (parsed as JSON as
 * axios would). Returns a function that removes both interceptors.
 */
function attachMastercardAuth(axios, auth) {
  if (!axios || !axios.interceptors || typeof axios.request !== 'function') {
    throw new TypeError('finauth/axios: attachMastercardAuth(axios, auth) needs an axios instance')
  }
  if (!(auth instanceof MastercardAuth)) {
    throw new TypeError('finauth/axios: attachMastercardAuth(axios, auth) needs a finauth MastercardAuth')
  }
  return attachMastercard(axios, auth)
}

module.exports = { attachFinicityAuth, attachOAuth1Signer, attachClientCredentials, attachMastercardAuth }
module.exports.default = module.exports
