'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const finauth = require('..')
const { PartnerAuth, MemoryStore, FileStore } = finauth
const { sandbox, options, tempDir, PARTNER_ID, APP_KEY } = require('./helpers.js')

test('token and headers come from one authentication', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb))
  const token = await auth.token()
  assert.match(token, /^[A-Za-z0-9]{32}$/)
  assert.equal(await auth.token(), token)
  const h = await auth.headers()
  assert.deepEqual(h, { 'Finicity-App-Key': APP_KEY, 'Finicity-App-Token': token })
  const s = auth.stats()
  assert.equal(s.authRequests, 1)
  assert.equal(s.authSuccesses, 1)
  assert.ok(s.cacheHits >= 1)
  assert.equal(Object.getPrototypeOf(s), Object.prototype)
  assert.equal(await sb.authRequests(), 1)
  assert.equal(auth.partnerId, PARTNER_ID)
})

test('invalidate drops the current token once and the next token() fetches a new one', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb))
  const first = await auth.token()
  assert.equal(await auth.invalidate(first), true)
  assert.equal(await auth.invalidate(first), false)
  const second = await auth.token()
  assert.notEqual(second, first)
  assert.equal(await sb.authRequests(), 2)
  assert.equal(auth.stats().invalidations, 1)
})

test('fromEnv reads the documented variables', async (t) => {
  const sb = await sandbox(t)
  const saved = { ...process.env }
  t.after(() => {
    process.env = saved
  })
  Object.assign(process.env, {
    FINICITY_PARTNER_ID: PARTNER_ID,
    FINICITY_PARTNER_SECRET: 'DemoSecret2026',
    FINICITY_APP_KEY: APP_KEY,
    FINICITY_BASE_URL: sb.url,
    FINAUTH_ALLOW_INSECURE_LOOPBACK: '1',
    FINAUTH_MAX_FAILED_ATTEMPTS: '2',
  })
  const auth = PartnerAuth.fromEnv()
  assert.ok(auth instanceof PartnerAuth)
  assert.match(await auth.token(), /^[A-Za-z0-9]{32}$/)
  assert.equal((await auth.guardStatus()).maxFailedAttempts, 2)
})

test('guardStatus, resetLockoutGuard and setAppKey', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb, { store: new MemoryStore() }))
  const g = await auth.guardStatus()
  assert.deepEqual(g, {
    failedAttempts: 0,
    inFlight: 0,
    maxFailedAttempts: 3,
    attemptsRemaining: 3,
    rejectedSecrets: 0,
    locked: null,
    currentSecretRejected: false,
    store: 'memory',
  })
  assert.equal(await auth.resetLockoutGuard(), undefined)
  await auth.token()
  auth.setAppKey('another-key')
  assert.equal((await auth.headers())['Finicity-App-Key'], 'another-key')
  assert.throws(() => auth.setAppKey('bad key with spaces'), { code: 'CONFIG' })
  assert.throws(() => auth.setAppKey(42), TypeError)
})

test('modifyPartnerSecret rotates the secret at the server and here', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb))
  await auth.token()
  await auth.modifyPartnerSecret('NewDemoSecret2027')
  assert.equal((await sb.stats()).modify_success, 1)
  await auth.invalidate(await auth.token())
  await auth.token()
  assert.equal((await sb.stats()).retired_secret_attempts, 0)
  await assert.rejects(auth.modifyPartnerSecret('short'), { code: 'CONFIG' })
  await assert.rejects(auth.modifyPartnerSecret(42), TypeError)
})

test('a FileStore shares the token between objects', async (t) => {
  const sb = await sandbox(t)
  const dir = tempDir()
  const a = new PartnerAuth(options(sb, { store: new FileStore(dir) }))
  const b = new PartnerAuth(options(sb, { store: `file:${dir}` }))
  assert.equal(await a.token(), await b.token())
  assert.equal(await sb.authRequests(), 1)
  assert.equal(new FileStore(dir).path, dir)
})

test('ES module import gives the same objects', async () => {
  const esm = await import('finauth')
  assert.equal(esm.PartnerAuth, PartnerAuth)
  assert.equal(esm.FinauthError, finauth.FinauthError)
  const ax = await import('finauth/axios')
  assert.equal(typeof ax.attachFinicityAuth, 'function')
  assert.equal(typeof require('finauth/axios').attachFinicityAuth, 'function')
})

test('rejectsToken and finicityCode understand every body shape', () => {
  assert.equal(finauth.rejectsToken(401, 'application/json', '{"code":10023,"message":"Expired"}'), true)
  assert.equal(finauth.rejectsToken(401, 'application/json', '{"code":"10022"}'), true)
  assert.equal(
    finauth.rejectsToken(401, 'application/json', '{"Errors":{"Error":[{"ReasonCode":"10023"}]}}'),
    true,
  )
  assert.equal(finauth.rejectsToken(401, 'text/plain', 'Expired (Finicity-App-Token)'), true)
  assert.equal(finauth.rejectsToken(401, 'application/xml', '<error><code>10022</code></error>'), true)
  assert.equal(finauth.rejectsToken(401, 'application/json', '{"code":10001}'), false)
  assert.equal(finauth.rejectsToken(200, 'application/json', '{"code":10023}'), false)
  assert.equal(finauth.finicityCode(401, 'application/json', '{"code":24302}'), 24302)
  assert.equal(finauth.finicityCode(200, '', ''), null)
})

test('the declarations name exactly what the package exports', () => {
  const dts = require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'index.d.ts'), 'utf8')
  const declared = [...dts.matchAll(/^export declare (?:class|function|const) (\w+)/gm)].map((m) => m[1]).sort()
  const exported = Object.keys(finauth).filter((k) => k !== 'default').sort()
  assert.deepEqual(declared, exported)
})

test('the fresh path hands out one promise per core generation (new token or App Key: a new one)', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb))
  const first = await auth.token()
  const p = auth.token()
  assert.equal(auth.token(), p, 'the same settled promise while the generation stands')
  assert.equal(await p, first)
  auth.setAppKey(APP_KEY) // the same key, but a new generation: headers built before are stale
  const q = auth.token()
  assert.notEqual(q, p)
  assert.equal(await q, first)
  await auth.invalidate(first)
  const renewed = await auth.token()
  assert.notEqual(renewed, first)
  assert.equal(auth.token(), auth.token())
  assert.equal(await sb.authRequests(), 2)
})
