'use strict'
// auth.fetch and finauth/axios: headers set; a 401 with 10022/10023 → one refresh, one resend.
const test = require('node:test')
const assert = require('node:assert/strict')
const axios = require('axios')
const { PartnerAuth, FileStore, AccountLockedError } = require('..')
const { attachFinicityAuth } = require('../axios.js')
const { sandbox, options, tempDir, PARTNER_ID, APP_KEY } = require('./helpers.js')

const PATH = '/aggregation/v1/customers'

for (const style of ['json_number', 'errors_upper', 'text', 'xml']) {
  test(`fetch: an expired token (${style} body) causes exactly one refresh and one resend`, async (t) => {
    const sb = await sandbox(t, '--error-style', style)
    const auth = new PartnerAuth(options(sb))
    const first = await auth.fetch(sb.url + PATH)
    assert.equal(first.status, 200)
    assert.ok(Array.isArray((await first.json()).customers), 'Get Customers answered')
    await sb.expireTokens()
    const before = await sb.stats()
    const resp = await auth.fetch(sb.url + PATH, { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' } })
    assert.equal(resp.status, 200)
    const after = await sb.stats()
    assert.equal(after.auth_requests - before.auth_requests, 1, 'refreshes')
    assert.equal(after.resource_requests - before.resource_requests, 2, 'one request and one resend')
    assert.equal(after.resource_rejected - before.resource_rejected, 1)
    assert.equal(await sb.endpoint(`POST ${PATH}`), 2)
  })
}

test('fetch: many concurrent calls on an expired token share one refresh', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb))
  await auth.token()
  await sb.expireTokens()
  const resps = await Promise.all(Array.from({ length: 20 }, () => auth.fetch(sb.url + PATH)))
  assert.ok(resps.every((r) => r.status === 200))
  assert.equal(await sb.authRequests(), 2)
})

test('fetch: a 401 for another reason is returned as it is, not resent', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb))
  await auth.token()
  auth.setAppKey('not-a-known-key')
  const resp = await auth.fetch(sb.url + PATH)
  assert.equal(resp.status, 401)
  assert.equal((await resp.json()).code, 10027)
  assert.equal(await sb.endpoint(`GET ${PATH}`), 1)
  assert.equal(await sb.authRequests(), 1)
})

test('axios: an expired token causes exactly one refresh and one resend', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb))
  const client = axios.create({ baseURL: sb.url })
  const detach = attachFinicityAuth(client, auth)
  const first = await client.get(PATH)
  assert.ok(Array.isArray(first.data.customers), 'Get Customers answered')
  await sb.expireTokens()
  const before = await sb.stats()
  const resp = await client.post(PATH, { x: 1 })
  assert.equal(resp.status, 200)
  const after = await sb.stats()
  assert.equal(after.auth_requests - before.auth_requests, 1, 'refreshes')
  assert.equal(after.resource_requests - before.resource_requests, 2, 'one request and one resend')
  assert.equal(await sb.endpoint(`POST ${PATH}`), 2)

  // Other 401s are not resent; after detach no header is set.
  auth.setAppKey('not-a-known-key')
  await assert.rejects(client.get(PATH), (e) => e.response.status === 401 && e.response.data.code === 10027)
  assert.equal(await sb.endpoint(`GET ${PATH}`), 2)
  detach()
  await assert.rejects(client.get(PATH), (e) => e.response.data.code === 10026)
})

test('axios: the default instance with a text error style', async (t) => {
  const sb = await sandbox(t, '--error-style', 'text')
  const auth = new PartnerAuth(options(sb))
  const detach = attachFinicityAuth(axios, auth)
  t.after(detach)
  await axios.get(sb.url + PATH)
  await sb.expireTokens()
  const resp = await axios.get(sb.url + PATH)
  assert.equal(resp.status, 200)
  assert.equal(await sb.authRequests(), 2)
  assert.equal(await sb.endpoint(`GET ${PATH}`), 3)
  assert.throws(() => attachFinicityAuth({}, auth), TypeError)
  assert.throws(() => attachFinicityAuth(axios, {}), TypeError)
})

/** Someone else's wrong secret locks the Partner ID at the server (threshold 1, answered over 500). */
async function lockBehindFinauthsBack(sb) {
  await sb.admin('POST', '/__admin/config', { lockout_threshold: 1, locked_status: 500 })
  const resp = await fetch(sb.url + '/aggregation/v2/partners/authentication', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Finicity-App-Key': APP_KEY },
    body: JSON.stringify({ partnerId: PARTNER_ID, partnerSecret: 'NotTheSecret123' }),
  })
  assert.equal(resp.status, 401)
}

async function assertEveryoneStops(sb, ...auths) {
  const before = await sb.authRequests()
  for (const a of auths) {
    await assert.rejects(a.token(), (e) => e instanceof AccountLockedError && e.finicityCode === 24302)
  }
  assert.equal(await sb.authRequests(), before, 'no authentication once locked')
}

test('observeResponse judges real answers: pass, token rejected, 24302 recorded for every caller', async (t) => {
  const sb = await sandbox(t)
  const store = new FileStore(tempDir())
  const auth = new PartnerAuth(options(sb, { store }))
  const twin = new PartnerAuth(options(sb, { store }))
  const get = async (token) => {
    const r = await fetch(sb.url + PATH, { headers: { 'Finicity-App-Key': APP_KEY, 'Finicity-App-Token': token, accept: 'application/json' } })
    return [r.status, r.headers.get('content-type') ?? '', await r.text()]
  }
  const token = await auth.token()
  assert.equal(await auth.observeResponse(...(await get(token))), false)
  assert.equal(await auth.observeResponse(...(await get('NotAToken'))), true)
  await lockBehindFinauthsBack(sb)
  await assert.rejects(auth.observeResponse(...(await get(token))), AccountLockedError)
  await assertEveryoneStops(sb, auth, twin)
  await assert.rejects(auth.observeResponse('500', '', ''), TypeError)
})

test('fetch and axios: a 24302 rejects with AccountLockedError and stops every caller', async (t) => {
  const sb = await sandbox(t)
  const store = new FileStore(tempDir())
  const auth = new PartnerAuth(options(sb, { store }))
  const twin = new PartnerAuth(options(sb, { store }))
  const client = axios.create({ baseURL: sb.url })
  attachFinicityAuth(client, twin)
  assert.equal((await auth.fetch(sb.url + PATH)).status, 200)
  await lockBehindFinauthsBack(sb)
  await assert.rejects(auth.fetch(sb.url + PATH), (e) => e instanceof AccountLockedError && e.finicityCode === 24302)
  await assert.rejects(client.get(PATH), AccountLockedError)
  await assertEveryoneStops(sb, auth, twin)
})
