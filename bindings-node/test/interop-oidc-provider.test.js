'use strict'
// OAuth 2.0 client credentials through the Node binding against an independent authorization
// server: oidc-provider (interop/oidc-provider/server.mjs) on loopback, with issuers that have a
// path, DPoP, a nonce-requiring realm and a DPoP-checking resource. Every test checks the
// server's own counters (/__stats), not only what the client saw.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawn, execFile } = require('node:child_process')
const { createHash } = require('node:crypto')
const { existsSync } = require('node:fs')
const path = require('node:path')
const readline = require('node:readline')
const { promisify } = require('node:util')
const finauth = require('..')
const { tempDir, ROOT } = require('./helpers.js')

const SERVER_DIR = path.join(ROOT, 'interop', 'oidc-provider')
const KEYS = path.join(ROOT, 'core', 'tests', 'oauth1-keys')
const RSA_PEM = path.join(KEYS, 'pkcs8.pem')
const EC_PEM = path.join(KEYS, 'ec.pem')
const ODD_SECRET = 's3cr+t/with=odd&chars%25'
const WORKER = path.join(__dirname, 'fixtures', 'interop-cc.js')
const run = promisify(execFile)

const installed = existsSync(path.join(SERVER_DIR, 'node_modules', 'oidc-provider'))
if (!installed && process.env.FINAUTH_REQUIRE_INTEROP) {
  throw new Error(`FINAUTH_REQUIRE_INTEROP is set but ${SERVER_DIR}/node_modules is missing: run npm ci there`)
}
const skip = installed ? false : 'interop/oidc-provider/node_modules is missing (npm ci in interop/oidc-provider)'

/** The server as a child process; resolves with its ready line ({ issuer, resource, stats, ... }). */
async function startServer() {
  const proc = spawn(process.execPath, [path.join(SERVER_DIR, 'server.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  proc.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000)
  })
  const rl = readline.createInterface({ input: proc.stdout })
  const info = await new Promise((resolve, reject) => {
    rl.once('line', (line) => resolve(JSON.parse(line)))
    proc.once('exit', (code) => reject(new Error(`oidc-provider server exited with ${code}: ${stderr}`)))
    proc.once('error', reject)
  })
  rl.close()
  return { ...info, origin: `http://127.0.0.1:${info.port}`, proc }
}

function stopServer(srv) {
  return new Promise((resolve) => {
    if (!srv || srv.proc.exitCode !== null) return resolve()
    srv.proc.once('exit', () => resolve())
    srv.proc.kill('SIGTERM')
  })
}

let srv

async function serverStats() {
  const resp = await fetch(srv.stats)
  assert.equal(resp.status, 200)
  return resp.json()
}

async function clientStats(id) {
  return (await serverStats()).clients[id] ?? { token_requests: 0, tokens_issued: 0, invalid_client: 0, nonce_challenges: 0 }
}

async function discoveryDocument(issuer) {
  const resp = await fetch(`${issuer}/.well-known/openid-configuration`)
  assert.equal(resp.status, 200)
  return resp.json()
}

/** RFC 7638 thumbprint of a public JWK (what the server binds a DPoP token to). */
function thumbprint(jwk) {
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n }
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url')
}

function client(extra) {
  return new finauth.ClientCredentials({ allowInsecureLoopback: true, timeout: 10, ...extra })
}

function jwtOptions(id, pem, kid, extra = {}) {
  return { clientId: id, authMethod: 'private_key_jwt', signingKey: finauth.loadPem(pem), keyId: kid, ...extra }
}

/** `n` processes at once, each one token() over the FileStore in `storeDir`; their JSON answers. */
function processes(n, options, storeDir, keyFile) {
  const arg = JSON.stringify({ options: { allowInsecureLoopback: true, timeout: 10, ...options }, storeDir, keyFile })
  return Promise.all(
    Array.from({ length: n }, async () => {
      const { stdout } = await run(process.execPath, [WORKER, arg], { timeout: 30_000 })
      return JSON.parse(stdout.trim())
    }),
  )
}

/** `runs` processes one after another over one FileStore (each a restart of the guard's owner). */
async function sequentialRuns(runs, options, storeDir, keyFile) {
  const out = []
  for (let i = 0; i < runs; i++) out.push(...(await processes(1, options, storeDir, keyFile)))
  return out
}

test.describe('finauth against oidc-provider 9', { skip }, () => {
  test.before(async () => {
    srv = await startServer()
  })
  test.after(() => stopServer(srv))
  test.beforeEach(async () => {
    assert.equal((await fetch(`${srv.stats}/reset`, { method: 'POST' })).status, 200)
  })

  test('client_secret_basic and client_secret_post with a secret full of form-encoding characters', async () => {
    const { token_endpoint } = await discoveryDocument(srv.issuer)
    for (const [id, authMethod] of [['basic-client', 'client_secret_basic'], ['post-client', 'client_secret_post']]) {
      const cc = client({ tokenUrl: token_endpoint, clientId: id, clientSecret: ODD_SECRET, authMethod, scope: 'api' })
      const token = await cc.token()
      assert.match(token, /^[A-Za-z0-9_-]{20,}$/)
      assert.equal(await cc.token(), token, 'cached')
      assert.equal(cc.tokenType, 'Bearer')
      const s = await clientStats(id)
      assert.equal(s.token_requests, 1, `${id}: one token request`)
      assert.equal(s.tokens_issued, 1)
      assert.equal(s.invalid_client, 0)
    }
  })

  test('private_key_jwt PS256 and ES256 with the default audience, by token URL and by issuer', async () => {
    const { token_endpoint } = await discoveryDocument(srv.issuer)
    assert.equal(token_endpoint, `${srv.issuer}/token`)
    for (const [id, pem, kid] of [['rsa-client', RSA_PEM, 'rsa-1'], ['ec-client', EC_PEM, 'ec-1']]) {
      const byUrl = client({ tokenUrl: token_endpoint, ...jwtOptions(id, pem, kid) })
      assert.ok((await byUrl.token()).length > 20)
      const byIssuer = client({ issuer: srv.issuer, ...jwtOptions(id, pem, kid) })
      assert.ok((await byIssuer.token()).length > 20)
      assert.equal(byIssuer.tokenUrl, token_endpoint)
      const s = await clientStats(id)
      assert.equal(s.token_requests, 2, `${id}: one request per client`)
      assert.equal(s.tokens_issued, 2)
      assert.equal(s.invalid_client, 0)
    }
  })

  test('discovery: the OIDC location after the RFC 8414 404, read once for 50 concurrent calls', async () => {
    const cc = client({ issuer: srv.issuer, clientId: 'basic-client', clientSecret: ODD_SECRET })
    const tokens = await Promise.all(Array.from({ length: 50 }, () => cc.token()))
    assert.equal(new Set(tokens).size, 1)
    const st = await serverStats()
    assert.deepEqual(st.metadata_requests, {
      '/.well-known/oauth-authorization-server/realms/acme': 1,
      '/realms/acme/.well-known/openid-configuration': 1,
    })
    assert.equal(st.clients['basic-client'].token_requests, 1)
    const fresh = client({ issuer: srv.issuer, clientId: 'basic-client', clientSecret: ODD_SECRET })
    assert.equal(await fresh.discover(), (await discoveryDocument(srv.issuer)).token_endpoint)
    assert.equal(fresh.issuer, srv.issuer)
  })

  test('discovery: a configuration the server does not list fails with a ConfigError naming it', async () => {
    const strict = await discoveryDocument(srv.strict_issuer)
    assert.deepEqual(strict.token_endpoint_auth_methods_supported, ['client_secret_basic', 'private_key_jwt'])
    assert.deepEqual(strict.token_endpoint_auth_signing_alg_values_supported, ['ES256'])
    assert.deepEqual(strict.dpop_signing_alg_values_supported, ['ES256'])
    const bad = [
      [{ clientId: 'strict-client', clientSecret: 'strict-secret', authMethod: 'client_secret_post' }, /auth_method.*not client_secret_post/],
      [{ ...jwtOptions('rsa-client', RSA_PEM, 'rsa-1') }, /signing_key.*ES256, not PS256/],
      [{ clientId: 'strict-client', clientSecret: 'strict-secret', signingKey: finauth.loadPem(RSA_PEM), dpop: true }, /dpop.*ES256, not PS256/],
    ]
    for (const [options, message] of bad) {
      const isMismatch = (e) => e instanceof finauth.ConfigError && e.code === 'CONFIG' && message.test(e.message)
      await assert.rejects(client({ issuer: srv.strict_issuer, ...options }).discover(), isMismatch)
      await assert.rejects(client({ issuer: srv.strict_issuer, ...options }).token(), isMismatch)
    }
    const st = await serverStats()
    assert.equal(st.clients['strict-client'], undefined, 'nothing was sent to the token endpoint')
    assert.equal(st.clients['rsa-client'], undefined)
    const ok = client({ issuer: srv.strict_issuer, clientId: 'strict-client', clientSecret: 'strict-secret', signingKey: finauth.loadPem(EC_PEM), dpop: true })
    assert.ok((await ok.token()).length > 20)
    assert.equal(ok.tokenType, 'DPoP')
    assert.equal((await clientStats('strict-client')).tokens_issued, 1)
  })

  test('DPoP-bound tokens (PS256, ES256) are accepted by the resource; tampered proofs are not', async () => {
    for (const [id, pem, kid] of [['rsa-client', RSA_PEM, 'rsa-1'], ['ec-client', EC_PEM, 'ec-1']]) {
      const key = finauth.loadPem(pem)
      const cc = client({ issuer: srv.issuer, ...jwtOptions(id, pem, kid), dpop: true })
      assert.equal(cc.tokenType, 'DPoP')
      const get = await cc.fetch(srv.resource + '?page=2')
      assert.equal(get.status, 200)
      assert.deepEqual(await get.json(), { ok: true, client_id: id, jkt: thumbprint(key.publicJwk()), method: 'GET' })
      const post = await cc.fetch(srv.resource, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } })
      assert.equal(post.status, 200)
      assert.equal((await post.json()).method, 'POST')

      const forOther = await cc.headers('GET', `${srv.origin}/api/other`)
      assert.match(forOther.Authorization ?? forOther.authorization, /^DPoP /)
      const wrongUrl = await fetch(srv.resource, { headers: forOther })
      assert.equal(wrongUrl.status, 401)
      assert.match(wrongUrl.headers.get('www-authenticate'), /^DPoP error="invalid_dpop_proof"/)
      const forPost = await cc.headers('POST', srv.resource)
      assert.equal((await fetch(srv.resource, { headers: forPost })).status, 401, 'htm mismatch')
      const once = await cc.headers('GET', srv.resource)
      assert.equal((await fetch(srv.resource, { headers: once })).status, 200)
      assert.equal((await fetch(srv.resource, { headers: once })).status, 401, 'a replayed jti')
      const asBearer = { Authorization: `Bearer ${await cc.token()}` }
      assert.equal((await fetch(srv.resource, { headers: asBearer })).status, 401, 'a bound token as Bearer')

      const s = await clientStats(id)
      assert.equal(s.tokens_issued, 1)
      assert.equal(s.resource_ok, 3)
    }
    const st = await serverStats()
    assert.equal(st.resource_rejected, 8)
  })

  test('a server that requires DPoP nonces: one challenge, one token, a resource call', async () => {
    for (const [id, options] of [
      ['nonce-client', { clientId: 'nonce-client', clientSecret: 'nonce-secret', signingKey: finauth.loadPem(EC_PEM) }],
      ['rsa-client', jwtOptions('rsa-client', RSA_PEM, 'rsa-1')],
    ]) {
      const cc = client({ issuer: srv.nonce_issuer, dpop: true, ...options })
      const token = await cc.token()
      assert.ok(token.length > 20)
      const s = await clientStats(id)
      assert.ok(s.nonce_challenges >= 1, `${id}: the server challenged`)
      assert.equal(s.tokens_issued, 1)
      assert.equal(s.invalid_client, 0)
      const resp = await cc.fetch(srv.nonce_resource, { method: 'POST', body: 'x=1' })
      assert.equal(resp.status, 200)
      assert.equal((await resp.json()).client_id, id)
      assert.equal(await cc.token(), token)
    }
    const st = await serverStats()
    assert.equal(st.resource_ok, 2)
    assert.ok(st.resource_nonce_challenges >= 1)
    assert.ok(st.nonce_challenges >= 2)
  })

  test('8 processes sharing a FileStore make one token request', async () => {
    const dir = tempDir()
    const options = { issuer: srv.issuer, clientId: 'fleet-client', clientSecret: 'fleet-secret' }
    const answers = await processes(8, options, dir)
    for (const a of answers) assert.equal(a.error, undefined, JSON.stringify(a.error))
    assert.equal(new Set(answers.map((a) => a.token)).size, 1, 'all 8 got the same token')
    const s = await clientStats('fleet-client')
    assert.equal(s.token_requests, 1)
    assert.equal(s.tokens_issued, 1)
    const later = await processes(1, options, dir)
    assert.equal(later[0].token, answers[0].token, 'a later process reads the stored token')
    assert.equal((await clientStats('fleet-client')).token_requests, 1)
  })

  test('the lockout guard survives 20 runs of a wrong secret; the right one then works', async () => {
    const dir = tempDir()
    const base = { tokenUrl: `${srv.issuer}/token`, clientId: 'guard-client', maxFailedAttempts: 3 }
    const wrong = await sequentialRuns(20, { ...base, clientSecret: 'wrong-secret' }, dir)
    assert.ok(wrong.every((a) => a.error), 'every run failed')
    const sent = wrong.filter((a) => a.error.code === 'INVALID_CREDENTIALS')
    const refused = wrong.filter((a) => a.error.code === 'LOCKOUT_GUARD')
    assert.ok(sent.length >= 1 && sent.length <= 3, `${sent.length} runs reached the server`)
    assert.equal(sent.length + refused.length, 20)
    assert.ok(sent.every((a) => a.error.name === 'InvalidCredentialsError' && a.error.error === 'invalid_client'))
    assert.ok(refused.every((a) => a.error.name === 'LockoutGuardError'))
    assert.ok(wrong.every((a) => !a.error.message.includes('wrong-secret')))
    const s = await clientStats('guard-client')
    assert.ok(s.invalid_client <= 3, `${s.invalid_client} invalid_client at the server`)
    assert.equal(s.invalid_client, sent.length)

    const [right] = await processes(1, { ...base, clientSecret: 'right-secret' }, dir)
    assert.equal(right.error, undefined, JSON.stringify(right.error))
    assert.ok(right.token.length > 20)
    assert.equal((await clientStats('guard-client')).tokens_issued, 1)
  })

  test('the guard with private_key_jwt: a wrong audience, then the default audience', async () => {
    const dir = tempDir()
    const options = { issuer: srv.issuer, clientId: 'ec-client', authMethod: 'private_key_jwt', keyId: 'ec-1', maxFailedAttempts: 3 }
    const wrong = await sequentialRuns(6, { ...options, audience: 'https://elsewhere.example/token' }, dir, EC_PEM)
    assert.ok(wrong.every((a) => a.error && ['INVALID_CREDENTIALS', 'LOCKOUT_GUARD'].includes(a.error.code)))
    assert.ok(wrong.slice(3).every((a) => a.error.code === 'LOCKOUT_GUARD'))
    const s = await clientStats('ec-client')
    assert.ok(s.invalid_client >= 1 && s.invalid_client <= 3, `${s.invalid_client} invalid_client`)
    const [right] = await processes(1, options, dir, EC_PEM)
    assert.equal(right.error, undefined, JSON.stringify(right.error))
    assert.equal((await clientStats('ec-client')).tokens_issued, 1)
  })
})
