'use strict'
// Stress through token expiry, invalidate storms and App Key rotation: 64 concurrent promises on
// one PartnerAuth on the main event loop, and 16 worker threads (each loads the addon and builds
// its own PartnerAuth) x 4 concurrent promises sharing one FileStore directory.
//
// The phases are run one after the other, each awaited by every caller (the barrier), so the
// number of token generations is known: one cold authentication, then per round one after the
// invalidate storm and one after the token expired. The sandbox's count of authentication
// requests must equal it, as must the distinct tokens seen (two racing authentications would
// leave an unseen token). Every wait has a deadline, so a deadlock fails instead of hanging.
// Tokens are refreshed after REFRESH_AFTER s and expire at LIFETIME s: the phases between two
// generations take a small fraction of REFRESH_AFTER, so no background refresh is due in them.
const test = require('node:test')
const assert = require('node:assert/strict')
const { readdirSync } = require('node:fs')
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { PartnerAuth } = require('..')
const { sandbox, options, tempDir, sleep, PARTNER_ID, SECRET, APP_KEY } = require('./helpers.js')
const { runPhase } = require('./fixtures/stress-phases.js')

const ROUNDS = 3
const REFRESH_AFTER = 2.0
const LIFETIME = 2.3
const HAMMER_CALLS = 50
// A phase waits at most this long (deadlock detection, not a timing).
const PHASE_DEADLINE_MS = 30_000
const GENERATIONS = 1 + 2 * ROUNDS

const rotatedKey = (r) => `${APP_KEY}-rotated-${r}`

function withDeadline(promise, what) {
  let timer
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${PHASE_DEADLINE_MS} ms (deadlock?)`)), PHASE_DEADLINE_MS)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

/** The phases in order; `run(message)` runs one phase everywhere and answers the results. */
async function drive(sb, run) {
  const seen = new Set()
  const dropped = []
  const take = (results) => {
    for (const r of results) {
      assert.equal(r.error, undefined, r.error)
      for (const t of r.tokens) seen.add(t)
    }
    return results.reduce((n, r) => n + r.dropped, 0)
  }
  take(await run({ phase: 'cold' }))
  for (let r = 0; r < ROUNDS; r++) {
    take(await run({ phase: 'hammer' }))
    await sb.admin('POST', '/__admin/partners', { partner_id: PARTNER_ID, secret: SECRET, app_key: rotatedKey(r) })
    take(await run({ phase: 'rotate', key: rotatedKey(r) }))
    take(await run({ phase: 'check', key: rotatedKey(r) }))
    dropped.push(take(await run({ phase: 'storm' })))
    await sleep((LIFETIME + 0.3) * 1000)
    take(await run({ phase: 'expired' }))
  }
  return { seen, dropped }
}

async function checkGenerations(sb, seen, stats) {
  const counts = await sb.stats()
  assert.equal(counts.auth_requests, GENERATIONS)
  assert.equal(counts.auth_success, GENERATIONS)
  assert.equal(seen.size, GENERATIONS)
  assert.equal(stats.reduce((n, s) => n + s.authRequests, 0), GENERATIONS)
  assert.equal(stats.reduce((n, s) => n + s.refreshesAdvisory, 0), 0)
}

test('64 concurrent promises on one object through expiry, invalidate storms and rotation', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb, { refreshAfter: REFRESH_AFTER, tokenLifetime: LIFETIME }))
  const state = {}
  const { seen, dropped } = await drive(sb, async (m) => [
    await withDeadline(runPhase(auth, state, m, 64, HAMMER_CALLS), m.phase),
  ])
  await checkGenerations(sb, seen, [auth.stats()])
  // One invalidate() per storm found the token current; the other 63 were no-ops.
  assert.deepEqual(dropped, Array(ROUNDS).fill(1))
  assert.equal(auth.stats().invalidations, ROUNDS)
})

function startWorker(data) {
  const w = new Worker(path.join(__dirname, 'fixtures', 'stress-worker.js'), { workerData: data })
  const queue = []
  const waiters = []
  let failure = null
  w.on('message', (m) => (waiters.length ? waiters.shift().resolve(m) : queue.push(m)))
  const fail = (e) => {
    failure = e
    for (const x of waiters.splice(0)) x.reject(e)
  }
  w.on('error', fail)
  const exited = new Promise((resolve) => w.once('exit', resolve))
  exited.then((code) => fail(new Error(`worker exited with ${code}`)))
  const receive = () =>
    withDeadline(
      queue.length
        ? Promise.resolve(queue.shift())
        : failure
          ? Promise.reject(failure)
          : new Promise((resolve, reject) => waiters.push({ resolve, reject })),
      'worker',
    )
  return { w, receive, exited }
}

test('16 worker threads x 4 promises sharing a FileStore through expiry, storms and rotation', async (t) => {
  const WORKERS = 16
  const sb = await sandbox(t)
  const dir = tempDir()
  const data = {
    options: options(sb, { refreshAfter: REFRESH_AFTER, tokenLifetime: LIFETIME }),
    dir,
    callers: 4,
    hammerCalls: HAMMER_CALLS,
  }
  const workers = Array.from({ length: WORKERS }, () => startWorker(data))
  let exitedCleanly = false
  t.after(() => (exitedCleanly ? undefined : Promise.all(workers.map(({ w }) => w.terminate()))))
  for (const x of workers) assert.equal(await x.receive(), 'ready')

  const { seen, dropped } = await drive(sb, async (m) => {
    for (const x of workers) x.w.postMessage(m)
    return Promise.all(workers.map((x) => x.receive()))
  })
  for (const x of workers) x.w.postMessage({ phase: 'exit' })
  const stats = (await Promise.all(workers.map((x) => x.receive()))).map((m) => m.stats)
  // Every worker's event loop drains once its object is dropped: nothing the addon started keeps
  // a thread alive.
  const codes = await withDeadline(Promise.all(workers.map((x) => x.exited)), 'worker exit')
  exitedCleanly = true
  assert.deepEqual(codes, Array(WORKERS).fill(0))
  await checkGenerations(sb, seen, stats)
  // Each worker's cache dropped the rejected token once per storm.
  assert.deepEqual(dropped, Array(ROUNDS).fill(WORKERS))
  assert.ok(stats.some((s) => s.tokensAdopted > 0))
  // One state file and its lock: no temporary file left behind by the atomic replaces.
  const names = readdirSync(dir).sort()
  assert.equal(names.length, 2, names.join(' '))
  assert.ok(names[0].endsWith('.json') && names[1].endsWith('.lock'), names.join(' '))
})
