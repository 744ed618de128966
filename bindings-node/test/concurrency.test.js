'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { PartnerAuth } = require('..')
const { sandbox, options, tempDir, sleep } = require('./helpers.js')

test('herd of 1000 cold token() promises authenticates once', async (t) => {
  const sb = await sandbox(t)
  await sb.setLatency(100)
  const auth = new PartnerAuth(options(sb))
  const tokens = await Promise.all(Array.from({ length: 1000 }, () => auth.token()))
  assert.equal(new Set(tokens).size, 1)
  assert.equal(await sb.authRequests(), 1)
  assert.equal(auth.stats().authRequests, 1)
})

test('the event loop keeps ticking during a slow (500 ms) authentication', async (t) => {
  const sb = await sandbox(t)
  await sb.setLatency(500)
  const auth = new PartnerAuth(options(sb))
  const ticks = []
  const timer = setInterval(() => ticks.push(performance.now()), 20)
  const started = performance.now()
  try {
    await auth.token()
  } finally {
    clearInterval(timer)
  }
  const elapsed = performance.now() - started
  assert.ok(elapsed >= 450, `authentication took ${elapsed} ms, expected the 500 ms latency`)
  let maxGap = ticks.length ? ticks[0] - started : elapsed
  for (let i = 1; i < ticks.length; i++) maxGap = Math.max(maxGap, ticks[i] - ticks[i - 1])
  assert.ok(ticks.length >= 15, `only ${ticks.length} ticks of 20 ms in ${elapsed.toFixed(0)} ms`)
  assert.ok(maxGap < 150, `the event loop stalled for ${maxGap.toFixed(0)} ms`)
})

const WORKER = path.join(__dirname, 'fixtures', 'worker.js')

function startWorker(data) {
  const w = new Worker(WORKER, { workerData: data })
  const messages = []
  const waiters = []
  w.on('message', (m) => {
    const next = waiters.shift()
    if (next) next.resolve(m)
    else messages.push(m)
  })
  w.on('error', (e) => {
    for (const x of waiters.splice(0)) x.reject(e)
  })
  const receive = () =>
    messages.length ? Promise.resolve(messages.shift()) : new Promise((resolve, reject) => waiters.push({ resolve, reject }))
  return { w, receive }
}

test('4 worker threads x 100 calls at expiry sharing a FileStore authenticate once', async (t) => {
  const sb = await sandbox(t)
  await sb.setLatency(200)
  const dir = tempDir()
  // Tokens are refreshed after 1 s and must be replaced 1 s later (mandatory margin = 1 s).
  const workers = Array.from({ length: 4 }, () =>
    startWorker({ options: options(sb, { refreshAfter: 1, tokenLifetime: 3 }), dir, calls: 100 }),
  )
  t.after(() => Promise.all(workers.map(({ w }) => w.terminate())))
  for (const x of workers) assert.equal(await x.receive(), 'ready')

  const round = async () => {
    for (const x of workers) x.w.postMessage('go')
    const results = await Promise.all(workers.map((x) => x.receive()))
    for (const r of results) assert.equal(r.error, undefined, r.error)
    return results
  }

  // Cold: 400 callers in 4 workers, one authentication.
  const cold = await round()
  assert.equal(new Set(cold.flatMap((r) => r.tokens)).size, 1)
  assert.equal(await sb.authRequests(), 1)

  // At expiry (past the mandatory point): 400 callers again, one more authentication.
  await sleep(2200)
  const expired = await round()
  const tokens = new Set(expired.flatMap((r) => r.tokens))
  assert.equal(tokens.size, 1)
  assert.ok(!tokens.has(cold[0].tokens[0]), 'the expired token was handed out')
  assert.equal(await sb.authRequests(), 2)
})
