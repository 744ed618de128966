'use strict'
// Request-policy benchmarks, Node (figures only, no assertions):
//  fresh  - fresh token() per call, 1 thread and 2 worker threads at once, for the addon loaded
//           (FINAUTH_NODE_ADDON);
//  integrations - what fetch and axios with finauth add to a request over the bare client,
//           against a path the sandbox answers 404 (not judged: no resend), median of rounds.
// Usage: node bench_node.js SANDBOX_URL fresh|integrations
const path = require('node:path')
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads')
const ROOT = path.resolve(__dirname, '..', '..')
// FINAUTH_NODE_PKG: the package directory (the "before" worktree's, for the side-by-side run).
const PKG = process.env.FINAUTH_NODE_PKG || path.join(ROOT, 'bindings-node')
const { PartnerAuth } = require(PKG)

const N_FRESH = 2_000_000
const N_HTTP = 1_500
const ROUNDS = 5

function make(url) {
  return new PartnerAuth({
    partnerId: 'finauth-demo-partner',
    partnerSecret: 'DemoSecret2026',
    appKey: 'demo-app-key',
    baseUrl: url,
    allowInsecureLoopback: true,
  })
}

async function freshLoop(url, n) {
  const auth = make(url)
  await auth.token()
  let best = Infinity
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i++) auth.token()
    best = Math.min(best, Number(process.hrtime.bigint() - start) / n)
  }
  return best
}

async function fresh(url) {
  console.log(`fresh token(), 1 thread: ${(await freshLoop(url, N_FRESH)).toFixed(1)} ns per call`)
  const runs = await Promise.all(
    [0, 1].map(
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(__filename, { workerData: { url, n: N_FRESH } })
          w.once('message', resolve)
          w.once('error', reject)
        }),
    ),
  )
  console.log(`fresh token(), 2 worker threads at once: ${Math.max(...runs).toFixed(1)} ns per call per thread`)
}

async function perRequest(send) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < N_HTTP; i++) await send()
  return Number(process.hrtime.bigint() - start) / N_HTTP / 1000
}

async function integrations(url) {
  const axios = require(path.join(ROOT, 'bindings-node', 'node_modules', 'axios'))
  const { attachFinicityAuth } = require(path.join(ROOT, 'bindings-node', 'axios.js'))
  const auth = make(url)
  await auth.token()
  const target = `${url}/bench-not-judged`
  const bareAxios = axios.create({ validateStatus: () => true })
  const authAxios = axios.create({ validateStatus: () => true })
  attachFinicityAuth(authAxios, auth)
  const pairs = {
    fetch: [async () => (await fetch(target)).arrayBuffer(), async () => (await auth.fetch(target)).arrayBuffer()],
    axios: [() => bareAxios.get(target), () => authAxios.get(target)],
  }
  for (const [name, [bare, withAuth]] of Object.entries(pairs)) {
    await bare()
    await withAuth()
    const b = []
    const a = []
    for (let r = 0; r < ROUNDS; r++) {
      b.push(await perRequest(bare))
      a.push(await perRequest(withAuth))
    }
    const med = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]
    const mb = med(b)
    const ma = med(a)
    console.log(`${name}: bare ${mb.toFixed(1)} us, with finauth ${ma.toFixed(1)} us per request; finauth adds ${(ma - mb).toFixed(1)} us (${(ma / mb).toFixed(2)}x)`)
  }
}

if (!isMainThread) {
  freshLoop(workerData.url, workerData.n).then((ns) => parentPort.postMessage(ns))
} else {
  const [url, what] = process.argv.slice(2)
  ;(what === 'integrations' ? integrations : fresh)(url).catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
