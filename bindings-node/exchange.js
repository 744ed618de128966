'use strict'
// One logical request under finauth's request policy. Core decides which headers each attempt
// carries, whether an answer means "resend" and when everyone must stop (24302); the helpers
// here (fetch, axios) only move bytes.

const { inspect } = require('node:util')
const errors = require('./errors.js')

const { settle, rethrow, sync } = errors

/** Flatten any header shape (a fetch `Headers`, axios headers, a plain object, pairs) to [n, v, ...]. */
function flatHeaders(headers) {
  const out = []
  if (!headers) return out
  const push = (k, v) => {
    if (v === undefined || v === null) return
    if (Array.isArray(v)) for (const one of v) out.push(String(k), String(one))
    else out.push(String(k), String(v))
  }
  if (typeof headers.forEach === 'function' && typeof headers.get === 'function' && !(typeof headers.toJSON === 'function')) {
    headers.forEach((v, k) => push(k, v))
  } else if (Array.isArray(headers)) {
    for (const [k, v] of headers) push(k, v)
  } else {
    const obj = typeof headers.toJSON === 'function' ? headers.toJSON() : headers
    for (const [k, v] of Object.entries(obj)) push(k, v)
  }
  return out
}

/** `exchange.prepare()` → headers, `exchange.observe(status, headers, body)` → resend? */
class Exchange {
  #native

  constructor(native) {
    this.#native = native
  }

  /** The headers of this attempt (set each, replacing any of the same name). */
  prepare() {
    return this.#native.prepare().then(settle, rethrow)
  }

  /** Whether `observe` needs the body text of an answer with this status. */
  wantsBody(status) {
    return this.#native.wantsBody(status)
  }

  /**
   * Judge the answer to the last attempt: resolves `true` to resend (call `prepare` first),
   * `false` to hand the answer to the caller; rejects with `AccountLockedError` (24302, recorded
   * for every caller sharing the store) or `UnauthorizedError` (still rejected after the resend).
   */
  observe(status, headers, body) {
    return this.#native.observe(status, flatHeaders(headers), body == null ? '' : String(body)).then(settle, rethrow)
  }

  /** HTTP attempts prepared so far. */
  get attempts() {
    return this.#native.attempts
  }

  [inspect.custom]() {
    return `Exchange { attempts: ${this.attempts} }`
  }
}

function open(native, method, url) {
  if (typeof method !== 'string' || typeof url !== 'string') {
    throw new TypeError('finauth: exchange(method, url) needs two strings')
  }
  return new Exchange(sync(() => native.exchange(method, url)))
}

/** The global `fetch` as an I/O loop over an exchange of `owner` (a PartnerAuth or ClientCredentials). */
async function fetchWith(owner, input, init) {
  const base = new Request(input, init)
  const exchange = owner.exchange(base.method, base.url)
  for (;;) {
    const headers = await exchange.prepare()
    const req = base.clone()
    for (const [k, v] of Object.entries(headers)) req.headers.set(k, v)
    const resp = await globalThis.fetch(req)
    const body = exchange.wantsBody(resp.status) ? await resp.clone().text() : ''
    let again
    try {
      again = await exchange.observe(resp.status, resp.headers, body)
    } catch (e) {
      await resp.body?.cancel().catch(() => {})
      throw e
    }
    if (!again) return resp
    await resp.body?.cancel().catch(() => {})
  }
}

module.exports = { Exchange, open, fetchWith, flatHeaders }
