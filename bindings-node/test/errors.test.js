'use strict'
// Every error kind reachable from Node arrives as a FinauthError subclass with its code and fields.
const test = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const fs = require('node:fs')
const path = require('node:path')
const finauth = require('..')
const { PartnerAuth, MemoryStore, FileStore, FinauthError } = finauth
const { sandbox, options, tempDir, PARTNER_ID } = require('./helpers.js')

function check(e, Cls, code) {
  assert.ok(e instanceof Cls, `${e && e.name} is not ${Cls.name}`)
  assert.ok(e instanceof FinauthError)
  assert.ok(e instanceof Error)
  assert.equal(e.code, code)
  assert.equal(e.name, Cls.name)
  assert.ok(e.message.length > 0)
  return true
}

test('the classes: instanceof, code, fields, JSON', () => {
  const e = new finauth.InvalidCredentialsError('m', { attemptsRemaining: 2, finicityCode: 10001 })
  check(e, finauth.InvalidCredentialsError, 'INVALID_CREDENTIALS')
  assert.equal(e.attemptsRemaining, 2)
  assert.equal(e.finicityCode, 10001)
  assert.equal(e.retryAfter, null)
  assert.deepEqual(JSON.parse(JSON.stringify(e)), {
    name: 'InvalidCredentialsError',
    code: 'INVALID_CREDENTIALS',
    message: 'm',
    attemptsRemaining: 2,
    finicityCode: 10001,
  })
  const codes = {
    ConfigError: 'CONFIG',
    AccountLockedError: 'ACCOUNT_LOCKED',
    LockoutGuardError: 'LOCKOUT_GUARD',
    RateLimitedError: 'RATE_LIMITED',
    UnauthorizedError: 'UNAUTHORIZED',
    ServerError: 'SERVER',
    TransportError: 'TRANSPORT',
    TimeoutError: 'TIMEOUT',
    StoreError: 'STORE',
    SigningKeyError: 'SIGNING_KEY',
  }
  for (const [name, code] of Object.entries(codes)) check(new finauth[name]('x'), finauth[name], code)
  assert.equal(new FinauthError('x').code, 'INTERNAL')
})

test('CONFIG: a bad option names the field', () => {
  assert.throws(() => new PartnerAuth({ partnerId: '', partnerSecret: 's', appKey: 'k' }), (e) => {
    check(e, finauth.ConfigError, 'CONFIG')
    return /partner_id/.test(e.message)
  })
  assert.throws(() => new PartnerAuth({ partnerId: 'p', partnerSecret: 's', appKey: 'k', maxFailedAttempts: 5 }), {
    code: 'CONFIG',
  })
  assert.throws(() => new PartnerAuth({ partnerId: 'p', partnerSecret: 's', appKey: 'k', baseUrl: 'http://example.com' }), {
    code: 'CONFIG',
  })
  assert.throws(() => new PartnerAuth({ partnerId: 'p', partnerSecret: 's', appKey: 'k', timeout: -1 }), { code: 'CONFIG' })
  assert.throws(() => new PartnerAuth({ partnerId: 'p', partnerSecret: 's', appKey: 'k', nope: 1 }), { code: 'CONFIG' })
  assert.throws(() => new PartnerAuth({ partnerId: 7 }), TypeError)
  assert.throws(() => new PartnerAuth(), TypeError)
  const saved = process.env.FINICITY_PARTNER_ID
  delete process.env.FINICITY_PARTNER_ID
  try {
    assert.throws(() => PartnerAuth.fromEnv(), { code: 'CONFIG', name: 'ConfigError' })
  } finally {
    if (saved !== undefined) process.env.FINICITY_PARTNER_ID = saved
  }
})

test('the options object is read and checked in Rust: TypeError for a type, ConfigError for a value', () => {
  const base = { partnerId: 'p', partnerSecret: 's', appKey: 'k' }
  const cases = [
    [{ ...base, partnerId: 7 }, TypeError, /option `partnerId` must be a string/],
    [{ ...base, allowInsecureLoopback: 'yes' }, TypeError, /option `allowInsecureLoopback` must be a boolean/],
    [{ ...base, store: {} }, TypeError, /option `store` must be a MemoryStore/],
    [{ ...base, store: 42 }, TypeError, /option `store` must be a MemoryStore/],
    [{ ...base, refreshAfter: '60' }, finauth.ConfigError, /refreshAfter must be a non-negative number of seconds/],
    [{ ...base, timeout: Number.NaN }, finauth.ConfigError, /timeout must be a non-negative number/],
    [{ ...base, maxFailedAttempts: 2.5 }, finauth.ConfigError, /maxFailedAttempts must be a whole number/],
    [{ ...base, partnerSecrets: 's' }, finauth.ConfigError, /unknown option `partnerSecrets`/],
  ]
  for (const [opts, Cls, message] of cases) {
    assert.throws(() => new PartnerAuth(opts), (e) => e instanceof Cls && message.test(e.message), message.source)
  }
  for (const bad of [undefined, null, 'p', 42]) {
    assert.throws(() => new PartnerAuth(bad), { name: 'TypeError', message: /needs an options object/ })
  }
  // null and undefined mean "not given"; a store may be an object or a FINAUTH_STORE string.
  new PartnerAuth({ ...base, timeout: null, refreshAfter: undefined, store: new MemoryStore() })
  new PartnerAuth({ ...base, store: 'memory' })
})

test('ClientCredentials options are checked by the same reader', () => {
  const base = { tokenUrl: 'https://auth.example.com/token', clientId: 'c', clientSecret: 's' }
  const cases = [
    [{ ...base, scope: ['a'] }, TypeError, /option `scope` must be a string/],
    [{ ...base, dpop: 1 }, TypeError, /option `dpop` must be a boolean/],
    [{ ...base, signingKey: 'pem' }, TypeError, /option `signingKey` must be a SigningKey/],
    [{ ...base, extraParams: 'resource=x' }, TypeError, /option `extraParams` must be an object of strings/],
    [{ ...base, extraParams: { resource: 7 } }, TypeError, /extraParams.resource must be a string/],
    [{ ...base, defaultLifetime: -5 }, finauth.ConfigError, /defaultLifetime must be a non-negative number/],
    [{ ...base, clientSecrett: 's' }, finauth.ConfigError, /unknown option `clientSecrett`/],
  ]
  for (const [opts, Cls, message] of cases) {
    assert.throws(() => new finauth.ClientCredentials(opts), (e) => e instanceof Cls && message.test(e.message), message.source)
  }
  assert.throws(() => new finauth.ClientCredentials(), { name: 'TypeError', message: /ClientCredentials\(options\) needs an options object/ })
  new finauth.ClientCredentials({ ...base, extraParams: { resource: 'https://api.example.com' }, store: 'memory' })
})

test('INVALID_CREDENTIALS then LOCKOUT_GUARD with their fields', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb, { partnerSecret: 'WrongSecret1' }))
  await assert.rejects(auth.token(), (e) => {
    check(e, finauth.InvalidCredentialsError, 'INVALID_CREDENTIALS')
    assert.equal(e.attemptsRemaining, 2)
    assert.equal(e.finicityCode, 10001)
    return true
  })
  await assert.rejects(auth.headers(), (e) => {
    check(e, finauth.LockoutGuardError, 'LOCKOUT_GUARD')
    assert.equal(e.failedAttempts, 1)
    assert.equal(e.reason, 'secret_rejected')
    assert.ok(e.hint)
    return true
  })
  assert.equal((await sb.stats()).auth_failures, 1)
})

test('the guard stops wrong secrets at maxFailedAttempts failures at the sandbox', async (t) => {
  const sb = await sandbox(t)
  const store = new MemoryStore()
  let refused = 0
  for (let i = 0; i < 10; i++) {
    const auth = new PartnerAuth(options(sb, { partnerSecret: `WrongSecret${i}`, store }))
    try {
      await auth.token()
      assert.fail('a wrong secret authenticated')
    } catch (e) {
      if (e instanceof finauth.LockoutGuardError) {
        refused++
        assert.equal(e.reason, 'attempts_exhausted')
        assert.equal(e.failedAttempts, 3)
      } else {
        check(e, finauth.InvalidCredentialsError, 'INVALID_CREDENTIALS')
      }
    }
  }
  const s = await sb.stats()
  assert.ok(s.auth_failures <= 3, `${s.auth_failures} failures reached the sandbox`)
  assert.equal(refused, 7)
  assert.equal(s.locked, false)
})

test('ACCOUNT_LOCKED carries 24302', async (t) => {
  const sb = await sandbox(t)
  await sb.fault('locked')
  await assert.rejects(new PartnerAuth(options(sb)).token(), (e) => {
    check(e, finauth.AccountLockedError, 'ACCOUNT_LOCKED')
    assert.equal(e.finicityCode, 24302)
    return true
  })
})

test('RATE_LIMITED from a throttling 429 carries retryAfter and costs no guard slot', async (t) => {
  const sb = await sandbox(t)
  await sb.fault({ retry_after_secs: 7 })
  const auth = new PartnerAuth(options(sb))
  await assert.rejects(auth.token(), (e) => {
    check(e, finauth.RateLimitedError, 'RATE_LIMITED')
    assert.equal(e.retryAfter, 7)
    return true
  })
  assert.equal((await auth.guardStatus()).failedAttempts, 0)
})

test('RATE_LIMITED on an unknown App Key, with a hint', async (t) => {
  const sb = await sandbox(t)
  await assert.rejects(new PartnerAuth(options(sb, { appKey: 'not-a-known-key' })).token(), (e) => {
    check(e, finauth.RateLimitedError, 'RATE_LIMITED')
    assert.ok(e.hint)
    assert.ok(e.retryAfter === null || e.retryAfter >= 0)
    return true
  })
})

test('SERVER carries the HTTP status', async (t) => {
  const sb = await sandbox(t)
  await sb.fault({ status: 503, content_type: 'text/html', body: '<h1>down</h1>' })
  await assert.rejects(new PartnerAuth(options(sb)).token(), (e) => {
    check(e, finauth.ServerError, 'SERVER')
    assert.equal(e.status, 503)
    return true
  })
})

test('TRANSPORT when nothing listens', async () => {
  const port = await new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port
      srv.close(() => resolve(p))
    })
  })
  const auth = new PartnerAuth({
    partnerId: PARTNER_ID,
    partnerSecret: 'DemoSecret2026',
    appKey: 'demo-app-key',
    baseUrl: `http://127.0.0.1:${port}`,
    allowInsecureLoopback: true,
  })
  await assert.rejects(auth.token(), (e) => check(e, finauth.TransportError, 'TRANSPORT'))
})

test('TIMEOUT carries the time-out', async (t) => {
  const sb = await sandbox(t)
  await sb.fault({ delay_ms: 3000 })
  await assert.rejects(new PartnerAuth(options(sb, { timeout: 0.5 })).token(), (e) => {
    check(e, finauth.TimeoutError, 'TIMEOUT')
    assert.ok(e.after > 0)
    return true
  })
})

test('STORE: a FileStore on a file, and a corrupt state file', async (t) => {
  const dir = tempDir()
  const file = path.join(dir, 'file')
  fs.writeFileSync(file, 'x')
  assert.throws(() => new FileStore(file), (e) => check(e, finauth.StoreError, 'STORE'))
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb, { store: new FileStore(dir) }))
  await auth.token()
  for (const f of fs.readdirSync(dir)) {
    if (f.startsWith('finauth-') && f.endsWith('.json')) fs.writeFileSync(path.join(dir, f), '{corrupt')
  }
  await assert.rejects(auth.guardStatus(), (e) => check(e, finauth.StoreError, 'STORE'))
})

test('INTERNAL: anything else the addon throws becomes a FinauthError with code INTERNAL', () => {
  const { fromNative } = require('../errors.js')
  const e = fromNative(Object.assign(new Error('panicked at core'), { code: 'GenericFailure' }))
  check(e, FinauthError, 'INTERNAL')
  assert.match(e.message, /please report it/)
  const known = fromNative({ finauthError: true, code: 'SERVER', message: 'm', status: 502, finicityCode: 1 })
  check(known, finauth.ServerError, 'SERVER')
  assert.equal(known.status, 502)
})
