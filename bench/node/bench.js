'use strict'
// Node benchmarks of finauth (they print figures and assert nothing):
//  1. fresh token() calls/s: finauth vs a plain-JS promise cache (both with a token cached);
//  2. herd: 1,000 concurrent token() calls on a cold cache, authentications at the sandbox:
//     finauth vs a plain-JS cache without single flight;
//  3. addon load time (require in a new process, median of 15) and size.
// Usage: node bench/node/bench.js   (FINAUTH_NODE_PKG: the package dir, default bindings-node;
// FINAUTH_NODE_ADDON: a .node file to load instead of the package's own;
// FINAUTH_SANDBOX_BIN: the sandbox binary, default target/debug/finauth-sandbox)
const path = require('node:path')
const fs = require('node:fs')
const { execFileSync } = require('node:child_process')
const ROOT = path.resolve(__dirname, '..', '..')
const PKG = process.env.FINAUTH_NODE_PKG || path.join(ROOT, 'bindings-node')
const { Sandbox, options } = require(path.join(PKG, 'test', 'helpers.js'))
const { PartnerAuth } = require(PKG)

const AUTH_PATH = '/aggregation/v2/partners/authentication'

/** A plain-JS token cache: one promise per token, reused until the token is due for refresh. */
class PromiseCache {
  constructor(fetchToken, refreshAfterMs) {
    this.fetchToken = fetchToken
    this.refreshAfterMs = refreshAfterMs
    this.promise = null
    this.at = 0
  }
  token() {
    if (this.promise === null || Date.now() - this.at > this.refreshAfterMs) {
      this.at = Date.now()
      this.promise = this.fetchToken()
    }
    return this.promise
  }
}

/** A plain-JS cache without single flight: every caller that finds no token fetches one. */
class NaiveCache {
  constructor(fetchToken) {
    this.fetchToken = fetchToken
    this.value = null
  }
  async token() {
    if (this.value === null) this.value = await this.fetchToken()
    return this.value
  }
}

function fetcher(url) {
  return async () => {
    const resp = await fetch(url + AUTH_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'finicity-app-key': 'demo-app-key', accept: 'application/json' },
      body: JSON.stringify({ partnerId: 'finauth-demo-partner', partnerSecret: 'DemoSecret2026' }),
    })
    return (await resp.json()).token
  }
}

async function rate(label, fn, n) {
  for (let i = 0; i < 10000; i++) await fn() // warm-up
  const best = []
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) await fn()
    best.push(Number(process.hrtime.bigint() - t0) / n)
  }
  best.sort((a, b) => a - b)
  const ns = best[2]
  console.log(`${label.padEnd(52)} ${(1e9 / ns / 1e6).toFixed(2).padStart(6)} M calls/s  (${ns.toFixed(0)} ns/call, median of 5 x ${n})`)
  return ns
}

async function main() {
  const addon = process.env.FINAUTH_NODE_ADDON || path.join(PKG, fs.readdirSync(PKG).find((f) => f.endsWith('.node')))
  console.log(`node ${process.version}, addon ${addon}, ${new Date().toISOString()}`)
  const sb = await Sandbox.start()
  try {
    // 1. fresh path
    const auth = new PartnerAuth(options(sb))
    await auth.token()
    const js = new PromiseCache(fetcher(sb.url), 5400e3)
    await js.token()
    const N = 1_000_000
    const a = await rate('finauth token() (await, fresh)', () => auth.token(), N)
    const b = await rate('plain-JS promise cache token() (await)', () => js.token(), N)
    console.log(`ratio finauth / plain-JS: ${(a / b).toFixed(2)}x the time per call`)
    const t0 = process.hrtime.bigint()
    await Promise.all(Array.from({ length: 100000 }, () => auth.token()))
    console.log(`finauth 100,000 token() promises at once: ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`)
    console.log(`sandbox authentications during the fresh-path runs: ${(await sb.authRequests()) - 2} (expected 0)`)

    // 2. herd on a cold cache, server 50 ms
    await sb.setLatency(50)
    for (const [label, make] of [
      ['finauth (single flight)', () => new PartnerAuth(options(sb))],
      ['plain-JS cache without single flight', () => new NaiveCache(fetcher(sb.url))],
    ]) {
      const before = await sb.authRequests()
      const c = make()
      const t1 = process.hrtime.bigint()
      const tokens = await Promise.all(Array.from({ length: 1000 }, () => c.token()))
      const ms = Number(process.hrtime.bigint() - t1) / 1e6
      const n = (await sb.authRequests()) - before
      console.log(`herd 1,000 cold callers, ${label.padEnd(38)} ${String(n).padStart(5)} authentication(s), ${new Set(tokens).size} distinct token(s), ${ms.toFixed(0)} ms`)
    }
  } finally {
    await sb.stop()
  }

  // 3. load time and size
  const times = []
  for (let i = 0; i < 15; i++) {
    const out = execFileSync(process.execPath, [
      '-e',
      `const t=process.hrtime.bigint(); require(${JSON.stringify(PKG)}); console.log(Number(process.hrtime.bigint()-t)/1e6)`,
    ])
    times.push(Number(String(out).trim()))
  }
  times.sort((x, y) => x - y)
  const base = []
  for (let i = 0; i < 15; i++) {
    const out = execFileSync(process.execPath, [
      '-e',
      `const t=process.hrtime.bigint(); require(${JSON.stringify(path.join(PKG, 'node_modules', 'axios'))}); console.log(Number(process.hrtime.bigint()-t)/1e6)`,
    ])
    base.push(Number(String(out).trim()))
  }
  base.sort((x, y) => x - y)
  console.log(`require('finauth') in a new process: median ${times[7].toFixed(2)} ms (min ${times[0].toFixed(2)}, max ${times[14].toFixed(2)}); require('axios') for scale: ${base[7].toFixed(2)} ms`)
  const size = fs.statSync(addon).size
  console.log(`addon size: ${(size / 1048576).toFixed(2)} MiB (${size} bytes)`)
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
