'use strict'
// OAuth 1.0a signing throughput in Node, for bench/oauth1/run.sh (prints `RESULT <name> <threads>
// <signs/s> <signs per CPU-second>` lines, asserts nothing; CPU time is the signing threads' own,
// or the whole process's for the asynchronous runs, whose signing threads are libuv's):
//  - node-finauth-async: `await signer.authorizationHeader(...)`, signed on libuv's pool; "1" is
//    one request in flight, "2" two; the event loop's delay during the run is printed too;
//  - node-finauth-sync: `authorizationHeaderSync` on the main thread ("1") or 2 worker threads;
//  - node-mastercard-pem: Mastercard's signer (npm mastercard-oauth1-signer) given the PEM string
//    as its README shows (the key is parsed on every call);
//  - node-mastercard-keyobject: the same with a `crypto.KeyObject` made once.
// Usage: FINAUTH_NODE_ADDON=… NODE_PATH=<dir of mastercard-oauth1-signer> node bench_sign.js KEY.pem SECONDS
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads')
const { monitorEventLoopDelay } = require('node:perf_hooks')

const ROOT = path.resolve(__dirname, '..', '..')
const CONSUMER_KEY = 'Xyz-consumer_KEY!0123456789abcdefABCDEF'
const URI =
  'https://sandbox.api.mastercard.com/fraud/merchant/v3/termination-inquiry?Format=JSON&PageOffset=0&PageLength=10'
const BODY = `{"terminationInquiryRequest":{"acquirerId":"1996","merchant":{"name":"TEST","address":{"city":"O'Fallon","country":"USA"}}}}`

function mastercard() {
  try {
    return require('mastercard-oauth1-signer')
  } catch {
    return null
  }
}

/** A synchronous signing function of the given kind, for this thread. */
function signFn(kind, pem) {
  if (kind === 'node-finauth-sync') {
    const { OAuth1Signer, loadPem } = require(path.join(ROOT, 'bindings-node'))
    const signer = new OAuth1Signer({ consumerKey: CONSUMER_KEY, key: loadPem(pem) })
    const body = Buffer.from(BODY)
    return () => signer.authorizationHeaderSync('POST', URI, body)
  }
  const OAuth = mastercard()
  const key = kind === 'node-mastercard-keyobject' ? crypto.createPrivateKey(pem) : pem
  return () => OAuth.getAuthorizationHeader(URI, 'POST', BODY, CONSUMER_KEY, key)
}

/** This thread's CPU time in seconds (Linux `/proc/thread-self/schedstat`). */
function threadCpu() {
  return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9
}

/** Signs for `seconds`: { rate (signs/s), signs, cpu (s) }. */
function loop(sign, seconds) {
  const start = performance.now()
  const cpu = threadCpu()
  let n = 0
  while (performance.now() - start < seconds * 1000) {
    sign()
    n++
  }
  return { rate: n / ((performance.now() - start) / 1000), signs: n, cpu: threadCpu() - cpu }
}

if (!isMainThread) {
  const { kind, pem, seconds, start } = workerData
  const sign = signFn(kind, pem)
  loop(sign, 0.3) // warm-up
  const flag = new Int32Array(start)
  Atomics.add(flag, 1, 1) // ready
  Atomics.wait(flag, 0, 0)
  parentPort.postMessage(loop(sign, seconds))
  return
}

/** `threads` worker threads signing for `seconds`, started together. */
async function workers(kind, pem, threads, seconds) {
  const start = new SharedArrayBuffer(8)
  const flag = new Int32Array(start)
  const results = []
  const all = Array.from({ length: threads }, () => {
    const w = new Worker(__filename, { workerData: { kind, pem, seconds, start } })
    return new Promise((resolve, reject) => {
      w.once('message', (r) => results.push(r))
      w.once('error', reject)
      w.once('exit', resolve)
    })
  })
  while (Atomics.load(flag, 1) < threads) await new Promise((r) => setTimeout(r, 5))
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
  await Promise.all(all)
  const sum = (k) => results.reduce((a, r) => a + r[k], 0)
  return { rate: sum('rate'), signs: sum('signs'), cpu: sum('cpu') }
}

function report(kind, threads, r) {
  console.log(`RESULT ${kind} ${threads} ${r.rate.toFixed(1)} ${(r.signs / r.cpu).toFixed(1)}`)
}

async function syncKind(kind, pem, seconds) {
  const sign = signFn(kind, pem)
  loop(sign, 0.3)
  report(kind, 1, loop(sign, seconds))
  report(kind, 2, await workers(kind, pem, 2, seconds))
}

/** `inFlight` chains of awaited asynchronous signatures for `seconds`, and the loop's delay. */
async function asyncRun(signer, inFlight, seconds) {
  const body = Buffer.from(BODY)
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const start = performance.now()
  const cpu = process.cpuUsage()
  const end = start + seconds * 1000
  let n = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await signer.authorizationHeader('POST', URI, body)
        n++
      }
    }),
  )
  delay.disable()
  const used = process.cpuUsage(cpu)
  const rate = n / ((performance.now() - start) / 1000)
  return { rate, signs: n, cpu: (used.user + used.system) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 }
}

async function main() {
  const pem = fs.readFileSync(process.argv[2], 'utf8')
  const seconds = Number(process.argv[3] || 3)
  const { OAuth1Signer, loadPem } = require(path.join(ROOT, 'bindings-node'))
  const signer = new OAuth1Signer({ consumerKey: CONSUMER_KEY, key: loadPem(pem) })
  await asyncRun(signer, 2, 0.3) // warm-up
  // The event loop's delay with nothing to do, for comparison (a busy machine delays it too).
  const idle = monitorEventLoopDelay({ resolution: 1 })
  idle.enable()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  idle.disable()
  console.log(`NOTE node idle event loop: delay p99 ${(idle.percentile(99) / 1e6).toFixed(2)} ms, max ${(idle.max / 1e6).toFixed(2)} ms`)
  for (const inFlight of [1, 2]) {
    const r = await asyncRun(signer, inFlight, seconds)
    report('node-finauth-async', inFlight, r)
    console.log(`NOTE node-finauth-async ${inFlight}: event-loop delay p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(2)} ms`)
  }
  await syncKind('node-finauth-sync', pem, seconds)
  if (mastercard() === null) {
    console.error('note: mastercard-oauth1-signer is not installed; its rows are skipped')
    return
  }
  await syncKind('node-mastercard-pem', pem, seconds)
  await syncKind('node-mastercard-keyobject', pem, seconds)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
