'use strict'
// OAuth 2.0 client credentials through the Node binding against the sandbox process.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { inspect } = require('node:util')
const finauth = require('..')
const { attachClientCredentials } = require('../axios.js')
const axios = require('axios')
const { Sandbox, ROOT } = require('./helpers.js')

const ID = 'finauth-demo-client'
const SECRET = 'demo-client-secret'
const KEYS = path.join(ROOT, 'core', 'tests', 'oauth1-keys')

async function oauth2Stats(sb, id = ID) {
  return (await sb.admin('GET', '/__admin/stats')).oauth2[id] ?? {}
}

function secretClient(sb, extra = {}) {
  return new finauth.ClientCredentials({
    tokenUrl: sb.url + '/oauth2/token',
    clientId: ID,
    clientSecret: SECRET,
    allowInsecureLoopback: true,
    timeout: 10,
    ...extra,
  })
}

async function jwtClient(sb, id, key, extra = {}) {
  await sb.admin('POST', '/__admin/oauth2/clients', { client_id: id, jwk: key.publicJwk() })
  return new finauth.ClientCredentials({
    tokenUrl: sb.url + '/oauth2/token',
    clientId: id,
    authMethod: 'private_key_jwt',
    signingKey: key,
    keyId: 'k1',
    allowInsecureLoopback: true,
    timeout: 10,
    ...extra,
  })
}

test('1000 concurrent token() calls on a cold cache make one token request', async () => {
  const sb = await Sandbox.start()
  try {
    await sb.setLatency(200)
    const cc = secretClient(sb)
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => cc.token()))
    assert.equal(new Set(tokens).size, 1)
    assert.equal((await oauth2Stats(sb)).token_requests, 1)
  } finally {
    await sb.stop()
  }
})

test('issuer: the token endpoint comes from the metadata, read once per process', async () => {
  const sb = await Sandbox.start()
  try {
    const key = finauth.loadPem(path.join(KEYS, 'ec.pem'))
    await sb.admin('POST', '/__admin/oauth2/clients', { client_id: 'node-disc', jwk: key.publicJwk() })
    const cc = new finauth.ClientCredentials({
      issuer: sb.url + '/oauth2',
      clientId: 'node-disc',
      authMethod: 'private_key_jwt',
      signingKey: key,
      dpop: true,
      allowInsecureLoopback: true,
      timeout: 10,
    })
    assert.equal(cc.issuer, sb.url + '/oauth2')
    const urls = await Promise.all(Array.from({ length: 20 }, () => cc.discover()))
    assert.deepEqual(new Set(urls), new Set([sb.url + '/oauth2/token']))
    assert.equal(cc.tokenUrl, sb.url + '/oauth2/token')
    // The default assertion audience with an issuer is the issuer: the sandbox accepts it.
    const res = await cc.fetch(sb.url + '/oauth2/resource/x')
    assert.equal(res.status, 200)
    assert.equal(await sb.endpoint('GET /.well-known/oauth-authorization-server/oauth2'), 1)
    assert.equal(cc.toJSON().issuer, sb.url + '/oauth2')

    const nowhere = new finauth.ClientCredentials({
      issuer: sb.url + '/elsewhere',
      clientId: ID,
      clientSecret: SECRET,
      allowInsecureLoopback: true,
    })
    await assert.rejects(nowhere.token(), (e) => e instanceof finauth.ConfigError && /no metadata/.test(e.message))
    assert.throws(
      () => secretClient(sb, { issuer: sb.url + '/oauth2' }),
      (e) => e instanceof finauth.ConfigError,
    )
  } finally {
    await sb.stop()
  }
})

test('every secret method works through fetch', async () => {
  const sb = await Sandbox.start()
  try {
    for (const authMethod of ['client_secret_basic', 'client_secret_post', 'finicity_json']) {
      const cc = secretClient(sb, { authMethod, appKey: 'demo-app-key' })
      const resp = await cc.fetch(sb.url + '/oauth2/resource/accounts')
      assert.equal(resp.status, 200)
      assert.equal((await resp.json()).ok, true)
    }
    const s = await oauth2Stats(sb)
    assert.deepEqual(s.by_method, { client_secret_basic: 1, client_secret_post: 1, finicity_json: 1 })
  } finally {
    await sb.stop()
  }
})

test('private_key_jwt with DPoP and a nonce through fetch and axios', async () => {
  const sb = await Sandbox.start()
  try {
    await sb.admin('POST', '/__admin/oauth2/config', { require_nonce: true })
    for (const [id, file] of [['node-ec', 'ec.pem'], ['node-rsa', 'pkcs8.pem']]) {
      const cc = await jwtClient(sb, id, finauth.loadPem(path.join(KEYS, file)), { dpop: true })
      assert.equal(cc.tokenType, 'DPoP')
      const resp = await cc.fetch(sb.url + '/oauth2/resource/a?x=1')
      assert.equal(resp.status, 200)
      const client = axios.create()
      const detach = attachClientCredentials(client, cc)
      assert.equal((await client.get(sb.url + '/oauth2/resource/b')).status, 200)
      await sb.admin('POST', '/__admin/oauth2/rotate-nonces')
      assert.equal((await client.get(sb.url + '/oauth2/resource/c')).status, 200)
      detach()
      const s = await oauth2Stats(sb, id)
      assert.equal(s.nonce_challenges, 1, 'one retry at the token endpoint')
      assert.equal(s.tokens_issued, 1)
      assert.equal(s.resource_nonce_challenges, 2, 'first resource call and after the rotation')
      assert.equal(s.resource_ok, 3)
    }
  } finally {
    await sb.stop()
  }
})

test('an expired token is invalidated and refreshed once (fetch and axios)', async () => {
  const sb = await Sandbox.start()
  try {
    const cc = secretClient(sb)
    const old = await cc.token()
    await sb.admin('POST', '/__admin/oauth2/expire-tokens', { client_id: ID })
    const resps = await Promise.all(Array.from({ length: 10 }, () => cc.fetch(sb.url + '/oauth2/resource')))
    assert.deepEqual(resps.map((r) => r.status), Array(10).fill(200))
    assert.notEqual(await cc.token(), old)
    assert.equal((await oauth2Stats(sb)).tokens_issued, 2)
    await sb.admin('POST', '/__admin/oauth2/expire-tokens', { client_id: ID })
    const client = axios.create()
    attachClientCredentials(client, cc)
    assert.equal((await client.get(sb.url + '/oauth2/resource')).status, 200)
    assert.equal((await oauth2Stats(sb)).tokens_issued, 3)
  } finally {
    await sb.stop()
  }
})

test('a wrong secret hammered by 50 calls stays under the guard; nothing secret shows', async () => {
  const sb = await Sandbox.start()
  try {
    const wrong = 'wrong-client-secret-node'
    const cc = secretClient(sb, { clientSecret: wrong, maxFailedAttempts: 3 })
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => cc.token()))
    assert.ok(results.every((r) => r.status === 'rejected'))
    const first = results[0].reason
    assert.ok(first instanceof finauth.InvalidCredentialsError)
    assert.equal(first.error, 'invalid_client')
    assert.ok(first.correlationId)
    assert.ok((await oauth2Stats(sb)).invalid_client <= 3)
    await assert.rejects(cc.token(), finauth.LockoutGuardError)
    for (const r of results) {
      assert.ok(!String(r.reason.message).includes(wrong))
      assert.ok(!JSON.stringify(r.reason).includes(wrong))
    }
    assert.ok(!inspect(cc).includes(wrong) && !JSON.stringify(cc).includes(wrong))
  } finally {
    await sb.stop()
  }
})

test('RFC errors carry error and errorDescription', async () => {
  const sb = await Sandbox.start()
  try {
    await sb.admin('POST', '/__admin/oauth2/clients', { client_id: 'scoped', client_secret: 'scoped-s', scopes: ['read'] })
    const cc = secretClient(sb, { clientId: 'scoped', clientSecret: 'scoped-s', scope: 'read write' })
    await assert.rejects(cc.token(), (e) => e instanceof finauth.ServerError && e.error === 'invalid_scope' && e.status === 400)
  } finally {
    await sb.stop()
  }
})
