'use strict'
// The request-policy conformance corpus (core/tests/exchange-corpus) through every Node
// integration: fetch (PartnerAuth.fetch / ClientCredentials.fetch) and axios. Each case scripts
// the sandbox's answers, sends through the real HTTP library, then checks what the sandbox
// received, the outcome, the token requests, and whether every caller is stopped afterwards.
const test = require('node:test')
const assert = require('node:assert/strict')
const { readdirSync, readFileSync } = require('node:fs')
const path = require('node:path')
const axios = require('axios')
const { PartnerAuth, ClientCredentials, FinauthError, AccountLockedError, loadPem } = require('..')
const { attachFinicityAuth, attachClientCredentials } = require('../axios.js')
const { sandbox, options, ROOT, APP_KEY } = require('./helpers.js')

const DIR = path.join(ROOT, 'core', 'tests', 'exchange-corpus')
const CASES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')))
const KEY = path.join(ROOT, 'core', 'tests', 'oauth1-keys', 'ec.pem')

function make(sb, kind) {
  if (kind === 'finicity') return new PartnerAuth(options(sb))
  return new ClientCredentials({
    tokenUrl: `${sb.url}/oauth2/token`,
    clientId: 'finauth-demo-client',
    clientSecret: 'demo-client-secret',
    allowInsecureLoopback: true,
    timeout: 10,
    ...(kind === 'oauth2-dpop' ? { signingKey: loadPem(KEY), dpop: true } : {}),
  })
}

const pathOf = (kind) => (kind === 'finicity' ? '/aggregation/v1/customers' : '/oauth2/resource/accounts')

async function tokenRequests(sb, kind) {
  const stats = await sb.admin('GET', '/__admin/stats')
  if (kind === 'finicity') return stats.partners['finauth-demo-partner'].auth_requests
  return stats.oauth2?.['finauth-demo-client']?.token_requests ?? 0
}

async function send(integration, auth, method, url, body) {
  if (integration === 'fetch') {
    return (await auth.fetch(url, { method, body: body ?? undefined })).status
  }
  const client = axios.create({ validateStatus: () => true })
  if (auth instanceof PartnerAuth) attachFinicityAuth(client, auth)
  else attachClientCredentials(client, auth)
  return (await client.request({ method, url, data: body ?? undefined, transformRequest: [(d) => d] })).status
}

function tokenOf(h) {
  if (h['finicity-app-token'] !== undefined) {
    assert.equal(h['finicity-app-key'], APP_KEY)
    return h['finicity-app-token']
  }
  return h.authorization.slice(h.authorization.indexOf(' ') + 1)
}

function nonceOf(h) {
  const claims = JSON.parse(Buffer.from(h.dpop.split('.')[1], 'base64url').toString('utf8'))
  return claims.nonce ?? null
}

test('the corpus is there', () => {
  assert.ok(CASES.length >= 20)
})

for (const integration of ['fetch', 'axios']) {
  for (const c of CASES) {
    test(`corpus ${c.name} via ${integration}`, async (t) => {
      const sb = await sandbox(t)
      const auth = make(sb, c.auth)
      await sb.script(pathOf(c.auth), c.answers)
      let outcome
      for (let i = 0; i < (c.requests ?? 1); i++) {
        try {
          outcome = { status: await send(integration, auth, c.method ?? 'GET', sb.url + pathOf(c.auth), c.body) }
        } catch (e) {
          if (!(e instanceof FinauthError)) throw e
          outcome = { error: e.code }
        }
      }
      const e = c.expect
      assert.deepEqual(outcome, e.result)
      const { received } = await sb.scriptReport()
      assert.equal(received.length, e.sent, 'requests sent')
      const seen = new Map()
      received.forEach((r, i) => {
        const token = tokenOf(r.headers)
        const label = e.tokens[i]
        if (seen.has(label)) assert.equal(seen.get(label), token, `request ${i}: token ${label}`)
        else {
          assert.ok(![...seen.values()].includes(token), `request ${i} reused a token`)
          seen.set(label, token)
        }
      })
      ;(e.nonces ?? []).forEach((want, i) => {
        if (want !== null) assert.equal(nonceOf(received[i].headers), want, `request ${i} nonce`)
      })
      if (e.same_bodies) {
        assert.ok(received[0].body.length > 0)
        assert.ok(received.every((r) => r.body === received[0].body), 'the body was resent whole')
      }
      assert.equal(await tokenRequests(sb, c.auth), e.token_requests, 'token requests')
      const before = await tokenRequests(sb, c.auth)
      if (e.locked_after) {
        await assert.rejects(auth.token(), AccountLockedError)
        assert.equal(await tokenRequests(sb, c.auth), before, 'stopped without a request')
      } else {
        await auth.token()
      }
    })
  }
}
