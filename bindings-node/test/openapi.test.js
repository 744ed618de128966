'use strict'
// finauth/openapi on the clients OpenAPI Generator makes from sandbox/openapi.json
// (scripts/openapi-clients.sh; scripts/test-node.sh compiles them to JS in
// $CARGO_TARGET_DIR/openapi/typescript-{axios,fetch}-js): the real generated code, the real addon,
// the sandbox as a process. Each case runs for typescript-axios (attachAxios) and
// typescript-fetch (fetchMiddleware). FINAUTH_REQUIRE_OPENAPI=1: a missing client fails.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const axios = require('axios')
const finauth = require('..')
const { PartnerAuth, FileStore, ClientCredentials, OAuth1Signer, PayloadEncryption, AccountLockedError, ConfigError, loadPem } = finauth
// The package's own `exports` (self-reference): what users require.
const { attachAxios, detachAxios, fetchMiddleware } = require('finauth/openapi')
const { Sandbox, sandbox, options, tempDir, ROOT, PARTNER_ID, SECRET, APP_KEY } = require('./helpers.js')

const OUT = path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'openapi')
const REQUIRED = process.env.FINAUTH_REQUIRE_OPENAPI === '1'
const OAUTH1_KEYS = path.join(ROOT, 'core', 'tests', 'oauth1-keys')
const ENC_KEYS = path.join(ROOT, 'core', 'tests', 'encryption-keys')
const CUSTOMERS = '/aggregation/v1/customers'

/** The compiled client, or null (the test then fails under FINAUTH_REQUIRE_OPENAPI=1, else skips). */
function generated(name) {
  const dir = path.join(OUT, `${name}-js`)
  if (!fs.existsSync(path.join(dir, 'index.js'))) return null
  return require(dir)
}

/** What a caller of the generated operations writes, per generator; values unwrapped. */
const FLAVORS = {
  'typescript-axios': (gen) => ({ basePath, auth, apiKey, headers, viaBaseURL = false }) => {
    // viaBaseURL: the instance has the base URL and the generated code requests relative URLs;
    // what is signed and judged must still be the full URL (instance.getUri(config)).
    const instance = attachAxios(axios.create(viaBaseURL ? { baseURL: basePath } : {}), auth)
    const configuration = new gen.Configuration({ basePath: viaBaseURL ? undefined : basePath, apiKey, baseOptions: headers ? { headers } : undefined })
    const api = (Api) => new Api(configuration, undefined, instance)
    return {
      instance,
      customers: async () => (await api(gen.CustomersApi).getCustomers()).data,
      addCustomer: async (c) => (await api(gen.CustomersApi).addTestingCustomer(c)).data,
      echoGet: async () => (await api(gen.SignedApi).getSignedEcho()).data,
      echoPost: async (note) => (await api(gen.SignedApi).postSignedEcho(note)).data,
      createToken: async () => (await api(gen.AuthenticationApi).createToken({ partnerId: PARTNER_ID, partnerSecret: SECRET })).data,
    }
  },
  'typescript-fetch': (gen) => ({ basePath, auth, apiKey, headers }) => {
    const configuration = new gen.Configuration({ basePath, apiKey, headers, middleware: [fetchMiddleware(auth)] })
    const api = (Api) => new Api(configuration)
    return {
      customers: () => api(gen.CustomersApi).getCustomers(),
      addCustomer: (c) => api(gen.CustomersApi).addTestingCustomer({ newCustomer: c }),
      echoGet: () => api(gen.SignedApi).getSignedEcho(),
      // The raw answer: the generated model would drop what the encrypted API adds (`received`).
      echoPost: async (note) => (await api(gen.SignedApi).postSignedEchoRaw({ echoNote: note })).raw.json(),
      createToken: () => api(gen.AuthenticationApi).createToken({ partnerCredentials: { partnerId: PARTNER_ID, partnerSecret: SECRET } }),
    }
  },
}

/** `test` once per generator, with `make(options)` building a client of it. */
function each(title, fn) {
  for (const [name, flavor] of Object.entries(FLAVORS)) {
    test(`${name}: ${title}`, async (t) => {
      const gen = generated(name)
      if (gen === null) {
        const msg = `${path.join(OUT, `${name}-js`)} is missing: bash scripts/test-node.sh generates and compiles it`
        if (REQUIRED) assert.fail(msg)
        t.skip(msg)
        return
      }
      await fn(t, flavor(gen), name)
    })
  }
}

/** The generated Configuration's own credentials: wrong on purpose, so only finauth's can work. */
const staleKeys = (name) => (name === 'Authorization' ? 'OAuth stale="1"' : `stale-${name}`)

async function requestsSeen(sb) {
  const s = await sb.admin('GET', '/__admin/stats')
  return Object.values(s.endpoints).reduce((a, b) => a + b, 0)
}

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

const isLocked = (e) => {
  assert.ok(e instanceof AccountLockedError, `expected AccountLockedError, got ${e && e.name}: ${e && e.message}`)
  assert.equal(e.finicityCode, 24302)
  assert.ok(!axios.isAxiosError(e), 'not wrapped in an AxiosError')
  return true
}

each('200 concurrent calls on a cold cache make exactly one authentication request', async (t, make) => {
  const sb = await sandbox(t)
  await sb.setLatency(100)
  const client = make({ basePath: sb.url, auth: { partnerAuth: new PartnerAuth(options(sb)) }, apiKey: staleKeys })
  const results = await Promise.all(Array.from({ length: 200 }, () => client.customers()))
  assert.ok(results.every((r) => Array.isArray(r.customers) && r.customers.length > 0))
  assert.equal(await sb.authRequests(), 1)
  assert.equal(await sb.endpoint(`GET ${CUSTOMERS}`), 200)
})

each('an expired token: one refresh overall, one resend per call (a POST body resent whole)', async (t, make) => {
  const sb = await sandbox(t)
  const client = make({ basePath: sb.url, auth: { partnerAuth: new PartnerAuth(options(sb)) }, apiKey: staleKeys })
  await client.customers()
  await sb.expireTokens()
  const before = await sb.stats()
  const calls = 50
  const results = await Promise.all(Array.from({ length: calls }, () => client.customers()))
  assert.equal(results.length, calls)
  let after = await sb.stats()
  assert.equal(after.auth_requests - before.auth_requests, 1, 'one refresh')
  assert.equal(after.resource_requests - before.resource_requests, 2 * calls, 'one resend per call')
  assert.equal(after.resource_rejected - before.resource_rejected, calls)

  await sb.expireTokens()
  const created = await client.addCustomer({ username: 'openapi-resent', firstName: 'Zoë', lastName: 'O/Connor' })
  assert.equal(created.username, 'openapi-resent')
  assert.equal(await sb.endpoint('POST /aggregation/v2/customers/testing'), 2, 'the POST and its resend')
  after = await sb.stats()
  assert.equal(after.auth_requests - before.auth_requests, 2)
})

each('24302 rejects with AccountLockedError; a second client on the same FileStore stops without a request', async (t, make) => {
  const sb = await sandbox(t)
  const store = new FileStore(tempDir())
  const client = make({ basePath: sb.url, auth: { partnerAuth: new PartnerAuth(options(sb, { store })) }, apiKey: staleKeys })
  await client.customers()
  await lockBehindFinauthsBack(sb)
  await assert.rejects(client.customers(), isLocked)

  const twin = make({ basePath: sb.url, auth: { partnerAuth: new PartnerAuth(options(sb, { store })) }, apiKey: staleKeys })
  const seen = await requestsSeen(sb)
  await assert.rejects(twin.customers(), isLocked)
  await assert.rejects(twin.addCustomer({ username: 'never-sent', firstName: 'N', lastName: 'S' }), isLocked)
  assert.equal(await requestsSeen(sb), seen, 'no request reached the sandbox')
})

each('24302 on the resent answer (10023, then 24302) rejects with AccountLockedError, recorded for everyone', async (t, make) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb))
  const client = make({ basePath: sb.url, auth: { partnerAuth: auth }, apiKey: staleKeys })
  const json = { 'Content-Type': 'application/json' }
  await sb.script(CUSTOMERS, [
    { status: 401, headers: json, body: '{"code":10023,"message":"Expired (Finicity-App-Token)"}' },
    { status: 500, headers: json, body: '{"code":24302,"message":"Bad credentials"}' },
  ])
  await assert.rejects(client.customers(), isLocked)
  assert.equal((await sb.scriptReport()).received.length, 2, 'the request and one resend')
  assert.equal(await sb.authRequests(), 2, 'the first token and the refresh after 10023')
  const seen = await requestsSeen(sb)
  await assert.rejects(auth.token(), AccountLockedError)
  await assert.rejects(client.customers(), isLocked)
  assert.equal(await requestsSeen(sb), seen)
})

/** A sandbox whose OAuth 1.0a verifier knows `ck`, and a signer for it. */
async function signedSandbox(t, ck) {
  const sb = await sandbox(t, '--oauth1-key', `${ck}:${path.join(OAUTH1_KEYS, 'public.pem')}`)
  return { sb, signer: new OAuth1Signer({ consumerKey: ck, key: loadPem(path.join(OAUTH1_KEYS, 'pkcs8.pem')) }) }
}

const NOTE = { note: 'café / 東京', path: '/a/b/../c?x=1&y=/z', extra: 'ünïcödé ☃' }

each('OAuth 1.0a: the sandbox verifies a JSON body with / and non-ASCII text, and an empty body', async (t, make, name) => {
  const ck = 'openapi-consumer'
  const { sb, signer } = await signedSandbox(t, ck)
  const modes = name === 'typescript-axios' ? [false, true] : [false]
  for (const viaBaseURL of modes) {
    const client = make({ basePath: sb.url, auth: { signer }, apiKey: staleKeys, viaBaseURL })
    const posted = await client.echoPost(NOTE)
    assert.equal(posted.ok, true, JSON.stringify(posted))
    assert.equal(posted.consumer_key, ck)
    assert.equal(posted.method, 'POST')
    assert.equal(posted.path, '/oauth1/echo')
    const got = await client.echoGet()
    assert.equal(got.ok, true)
    assert.equal(got.consumer_key ?? got.consumerKey, ck)
    assert.equal(got.method, 'GET')
  }
  // The bytes signed are the bytes sent: the verifier recomputed the body hash of what it got.
  const report = await sb.admin('GET', '/__admin/stats')
  assert.deepEqual(report.oauth1[ck], { accepted: 2 * modes.length, rejected: 0 })

  // What went over the wire: the generated client's JSON, unchanged, and one Authorization.
  await sb.script('/oauth1/', [{ pass: true }, { pass: true }])
  const client = make({ basePath: sb.url, auth: { signer }, apiKey: staleKeys })
  await client.echoPost(NOTE)
  await client.echoGet()
  const [post, get] = (await sb.scriptReport()).received
  assert.deepEqual(JSON.parse(post.body), NOTE)
  assert.match(post.headers['content-type'], /^application\/json/)
  assert.match(post.headers.authorization, /^OAuth oauth_body_hash="/)
  assert.equal(get.body, '')
  assert.match(get.headers.authorization, /oauth_body_hash="47DEQpj8HBSa\+\/TImW\+5JCeuQeRkm5NMpJWZG3hSuFU="/, 'an empty body is signed as empty')
})

each('payload encryption: encrypted, then signed over the bytes sent; the answer decrypted', async (t, make) => {
  const ck = 'openapi-encrypted'
  const { sb, signer } = await signedSandbox(t, ck)
  const pem = (f) => fs.readFileSync(path.join(ENC_KEYS, f), 'utf8')
  await sb.admin('POST', '/__admin/encryption', {
    decryptionKeyPem: pem('client-encryption-key.pem'),
    encryptionCertificatePem: pem('client-encryption-cert.pem'),
    options: { decryptionPaths: { '$.encryptedData': '$' }, encryptionPaths: { $: '$' } },
  })
  const encryption = new PayloadEncryption({
    encryptionCertificate: finauth.loadEncryptionCertificate(path.join(ENC_KEYS, 'client-encryption-cert.pem')),
    decryptionKey: finauth.loadDecryptionKey(path.join(ENC_KEYS, 'client-encryption-key.p12'), 'keystorepassword'),
    encryptionPaths: { $: '$' },
    decryptionPaths: { '$.encryptedData': '$' },
  })
  // The encrypted API answers any path below /encrypted: the generated SignedApi, based there.
  await sb.script('/encrypted/', [{ pass: true }])
  const client = make({ basePath: `${sb.url}/encrypted`, auth: { signer, encryption }, apiKey: staleKeys })
  const answer = await client.echoPost(NOTE)
  assert.equal(answer.ok, true, JSON.stringify(answer))
  assert.equal(answer.consumer_key, ck)
  assert.deepEqual(answer.received, NOTE, 'the service decrypted what was sent')
  const [sent] = (await sb.scriptReport()).received
  assert.ok(!sent.body.includes('東京') && JSON.parse(sent.body).encryptedData, 'encrypted on the wire')
  assert.deepEqual((await sb.admin('GET', '/__admin/stats')).oauth1[ck], { accepted: 1, rejected: 0 })

  // An error answer (not encrypted) reaches the caller readable, in the generator's own error.
  const stranger = new OAuth1Signer({ consumerKey: 'nobody', key: loadPem(path.join(OAUTH1_KEYS, 'pkcs8.pem')) })
  const refused = make({ basePath: `${sb.url}/encrypted`, auth: { signer: stranger, encryption }, apiKey: staleKeys })
  const e = await refused.echoPost(NOTE).then(() => assert.fail('accepted'), (err) => err)
  assert.ok(e.name === 'ResponseError' || axios.isAxiosError(e), `${e}`)
  assert.equal(e.response.status, 401)
  const body = axios.isAxiosError(e) ? e.response.data : await e.response.json()
  assert.equal(body.error, 'unknown_consumer_key')
})

/** A loopback proxy to `target` that records each request's raw header lines. */
async function recordingProxy(t, target) {
  const seen = []
  const srv = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, rawHeaders: req.rawHeaders })
    const up = http.request(target + req.url, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers)
      r.pipe(res)
    })
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  await new Promise((r) => srv.listen(0, '127.0.0.1', r))
  t.after(() => new Promise((r) => srv.close(r)))
  return { url: `http://127.0.0.1:${srv.address().port}`, seen }
}

const lines = (rawHeaders, name) => rawHeaders.filter((v, i) => i % 2 === 0 && v.toLowerCase() === name).length

each('each Finicity header exactly once (over the apiKey values and a lower-case duplicate); createToken is a ConfigError', async (t, make) => {
  const sb = await sandbox(t)
  const proxy = await recordingProxy(t, sb.url)
  const auth = new PartnerAuth(options(sb))
  // The generated code sets Finicity-App-Key/-Token from apiKey; the configuration's own headers
  // add lower-case ones besides.
  const headers = { 'finicity-app-token': 'stale-lower-case', 'finicity-app-key': 'stale-lower-case' }
  const client = make({ basePath: proxy.url, auth: { partnerAuth: auth }, apiKey: staleKeys, headers })
  await sb.script(CUSTOMERS, [{ pass: true }])
  const r = await client.customers()
  assert.ok(Array.isArray(r.customers))
  const [rec] = (await sb.scriptReport()).received
  assert.equal(rec.headers['finicity-app-key'], APP_KEY)
  assert.equal(rec.headers['finicity-app-token'], await auth.token())
  assert.equal(proxy.seen.length, 1)
  for (const name of ['finicity-app-key', 'finicity-app-token']) assert.equal(lines(proxy.seen[0].rawHeaders, name), 1, name)

  const before = await sb.authRequests()
  await assert.rejects(client.createToken(), (e) => {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e && e.name}: ${e && e.message}`)
    assert.match(e.message, /token\(\)/)
    return true
  })
  assert.equal(await sb.authRequests(), before, 'the token request never left')
  assert.equal(proxy.seen.length, 1)
})

each('clientCredentials (OAuth 2.0): Authorization set, one resend after the token expired', async (t, make) => {
  const sb = await sandbox(t)
  const cc = new ClientCredentials({ tokenUrl: sb.url + '/oauth2/token', clientId: 'finauth-demo-client', clientSecret: 'demo-client-secret', allowInsecureLoopback: true })
  // The sandbox's OAuth 2.0 resource answers any path below /oauth2/resource.
  const client = make({ basePath: `${sb.url}/oauth2/resource`, auth: { clientCredentials: cc }, apiKey: staleKeys })
  assert.equal((await client.echoGet()).ok, true)
  await sb.admin('POST', '/__admin/oauth2/expire-tokens', { client_id: 'finauth-demo-client' })
  assert.equal((await client.echoGet()).ok, true)
  const s = (await sb.admin('GET', '/__admin/stats')).oauth2['finauth-demo-client']
  assert.equal(s.tokens_issued, 2)
  assert.equal(s.resource_requests, 3)
  assert.equal(s.resource_rejected, 1)
})

test('options are checked; an instance takes finauth once; detachAxios; the ES module', async () => {
  const sb = await Sandbox.start()
  try {
    const auth = new PartnerAuth(options(sb))
    for (const make of [(o) => fetchMiddleware(o), (o) => attachAxios(axios.create(), o)]) {
      assert.throws(() => make(), TypeError)
      assert.throws(() => make({}), ConfigError)
      assert.throws(() => make({ partnerAuth: {} }), TypeError)
      assert.throws(() => make({ signer: 'key' }), TypeError)
      assert.throws(() => make({ partnerAuth: auth, typo: 1 }), ConfigError)
      const cc = new ClientCredentials({ tokenUrl: sb.url + '/oauth2/token', clientId: 'c', clientSecret: 's', allowInsecureLoopback: true })
      assert.throws(() => make({ partnerAuth: auth, clientCredentials: cc }), ConfigError)
    }
    assert.throws(() => attachAxios({}, { partnerAuth: auth }), TypeError)
    const inst = axios.create()
    assert.equal(attachAxios(inst, { partnerAuth: auth }), inst)
    assert.throws(() => attachAxios(inst, { partnerAuth: auth }), ConfigError)
    assert.equal((await inst.get(sb.url + CUSTOMERS)).status, 200)
    assert.equal(detachAxios(inst), true)
    assert.equal(detachAxios(inst), false)
    await assert.rejects(inst.get(sb.url + CUSTOMERS), (e) => e.response.status === 401)
    const m = fetchMiddleware({ partnerAuth: auth })
    assert.deepEqual(Object.keys(m).sort(), ['post', 'pre'])
    // Not ours: handed over untouched.
    assert.equal(await m.post({ url: sb.url, init: {}, response: new Response('x'), fetch }), undefined)
    const esm = await import('finauth/openapi')
    assert.equal(esm.attachAxios, attachAxios)
    assert.equal(esm.fetchMiddleware, fetchMiddleware)
    assert.equal(esm.default.detachAxios, detachAxios)
  } finally {
    await sb.stop()
  }
})

test('openapi.d.ts names exactly what finauth/openapi exports', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'openapi.d.ts'), 'utf8')
  const declared = [...dts.matchAll(/^export declare (?:class|function|const) (\w+)/gm)].map((m) => m[1]).sort()
  const exported = Object.keys(require('finauth/openapi')).filter((k) => k !== 'default').sort()
  assert.deepEqual(declared, exported)
})
