'use strict'
// The finauth sandbox as a real process (port 0), its admin API, and a PartnerAuth factory.
const { spawn } = require('node:child_process')
const { existsSync, mkdirSync, mkdtempSync, openSync, closeSync } = require('node:fs')
const { tmpdir } = require('node:os')
const path = require('node:path')
const readline = require('node:readline')

const ROOT = path.resolve(__dirname, '..', '..')
const PARTNER_ID = 'finauth-demo-partner'
const SECRET = 'DemoSecret2026'
const APP_KEY = 'demo-app-key'

function sandboxBinary() {
  const bin = process.env.FINAUTH_SANDBOX_BIN || path.join(ROOT, 'target', 'debug', 'finauth-sandbox')
  if (!existsSync(bin)) throw new Error(`sandbox binary not found at ${bin}: cargo build -p finauth-sandbox`)
  return bin
}

/** Under FINAUTH_TEST_ARTIFACTS when set (scripts/secret-scan.sh reads it), else the OS temp dir. */
function artifactsDir() {
  const root = process.env.FINAUTH_TEST_ARTIFACTS
  if (!root) return null
  mkdirSync(root, { recursive: true })
  return root
}

/** The sandbox's stderr: a log under FINAUTH_TEST_ARTIFACTS when set, else discarded. */
function sandboxStderr() {
  const root = artifactsDir()
  return root ? openSync(path.join(root, `sandbox-node-${process.pid}.log`), 'a') : 'ignore'
}

class Sandbox {
  static async start(...args) {
    const stderr = sandboxStderr()
    const proc = spawn(sandboxBinary(), ['--port', '0', ...args], { stdio: ['ignore', 'pipe', stderr] })
    if (stderr !== 'ignore') closeSync(stderr) // the child has its own copy
    const rl = readline.createInterface({ input: proc.stdout })
    const url = await new Promise((resolve, reject) => {
      rl.once('line', (line) => resolve(line.trim()))
      proc.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)))
      proc.once('error', reject)
    })
    rl.close()
    if (!url.startsWith('http://')) {
      proc.kill()
      throw new Error(`sandbox did not start: ${url}`)
    }
    const s = new Sandbox()
    s.proc = proc
    s.url = url
    return s
  }

  async admin(method, p, body) {
    const resp = await fetch(this.url + p, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!resp.ok) throw new Error(`admin ${method} ${p}: HTTP ${resp.status}`)
    const text = await resp.text()
    return text ? JSON.parse(text) : null
  }

  async stats(partner = PARTNER_ID) {
    return (await this.admin('GET', '/__admin/stats')).partners[partner]
  }

  async endpoint(key) {
    return (await this.admin('GET', '/__admin/stats')).endpoints[key] ?? 0
  }

  async authRequests() {
    return (await this.stats()).auth_requests
  }

  setLatency(ms) {
    return this.admin('POST', '/__admin/config', { latency_ms: ms })
  }

  fault(fault, times = 1) {
    return this.admin('POST', '/__admin/faults', { fault, times })
  }

  /** The next requests under `pathPrefix` get these answers ({status, headers, body}) in order. */
  script(pathPrefix, answers) {
    return this.admin('POST', '/__admin/script', { path_prefix: pathPrefix, answers })
  }

  scriptReport() {
    return this.admin('GET', '/__admin/script')
  }

  expireTokens() {
    return this.admin('POST', '/__admin/expire-tokens', { partner_id: PARTNER_ID })
  }

  stop() {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null) return resolve()
      this.proc.once('exit', () => resolve())
      this.proc.kill('SIGTERM')
    })
  }
}

/** A sandbox for one test, stopped when the test ends. */
async function sandbox(t, ...args) {
  const s = await Sandbox.start(...args)
  t.after(() => s.stop())
  return s
}

function options(sb, extra = {}) {
  return {
    partnerId: PARTNER_ID,
    partnerSecret: SECRET,
    appKey: APP_KEY,
    baseUrl: sb.url,
    allowInsecureLoopback: true,
    ...extra,
  }
}

function tempDir() {
  return mkdtempSync(path.join(artifactsDir() ?? tmpdir(), 'finauth-node-'))
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

module.exports = { Sandbox, sandbox, options, tempDir, sleep, PARTNER_ID, SECRET, APP_KEY, ROOT }
