'use strict'
// Mastercard OAuth 1.0a: key loading and its errors, the header's shape, signatures checked with
// node's crypto over the base string, fetch and axios signing the bytes sent, and concurrency.
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const http = require('node:http')
const fs = require('node:fs')
const path = require('node:path')
const { inspect } = require('node:util')
const finauth = require('..')
const { OAuth1Signer, SigningKey, SigningKeyError, FinauthError, loadPkcs12, loadPem, signatureBaseString, bodyHash } = finauth
const { attachOAuth1Signer } = require('../axios.js')

const KEYS = path.join(__dirname, '..', '..', 'core', 'tests', 'oauth1-keys')
const key = (f) => path.join(KEYS, f)
const P12_PASSWORD = 'keystorepassword'
const PEM_PASSWORD = 'test-password'
const publicKey = crypto.createPublicKey(fs.readFileSync(key('cert.pem')))

function parse(header) {
  assert.ok(header.startsWith('OAuth '), header)
  const out = {}
  for (const item of header.slice(6).split(',')) {
    const m = /^([a-z_]+)="([^"]*)"$/.exec(item)
    assert.ok(m, `bad item ${item}`)
    out[m[1]] = m[2]
  }
  return out
}

function verify(header, method, uri, body, pss = false) {
  const p = parse(header)
  const sig = Buffer.from(decodeURIComponent(p.oauth_signature), 'base64')
  const params = { ...p }
  delete params.oauth_signature
  assert.equal(p.oauth_body_hash, crypto.createHash('sha256').update(body ?? '').digest('base64'))
  const base = signatureBaseString(method, uri, params)
  const keyArg = pss ? { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : publicKey
  return crypto.verify('RSA-SHA256', Buffer.from(base, 'utf8'), keyArg, sig)
}

const signer = () => new OAuth1Signer({ consumerKey: 'consumer-key!abc', key: loadPem(key('pkcs8.pem')) })

test('every loader gives the same key (same signature at a fixed nonce and time)', () => {
  const loaded = [
    loadPkcs12(key('modern.p12'), P12_PASSWORD, 'signing-key'),
    loadPkcs12(fs.readFileSync(key('modern.p12')), P12_PASSWORD),
    loadPkcs12(new Uint8Array(fs.readFileSync(key('legacy.p12'))), P12_PASSWORD, 'signing-key'),
    loadPem(key('pkcs8.pem')),
    loadPem(fs.readFileSync(key('pkcs1.pem'), 'utf8')),
    loadPem(fs.readFileSync(key('pkcs8.pem'))),
    loadPem(key('encrypted.pem'), PEM_PASSWORD),
    loadPem(key('pkcs8.der')),
  ]
  const headers = loaded.map((k) => {
    assert.ok(k instanceof SigningKey)
    assert.equal(k.bits, 2048)
    return new OAuth1Signer({ consumerKey: 'ck', key: k }).authorizationHeaderWith('POST', 'https://api.example.com/x?a=1', '{"a":1}', 'abcdefghijklmnop', 1700000000)
  })
  for (const h of headers) assert.equal(h, headers[0])
})

test('a key never shows itself', () => {
  const k = loadPem(key('pkcs8.pem'))
  assert.equal(inspect(k), 'SigningKey(RSA-2048, [REDACTED])')
  assert.equal(JSON.stringify(k), '{"type":"SigningKey","bits":2048,"key":"[REDACTED]"}')
  assert.equal(String(k), 'SigningKey(RSA-2048, [REDACTED])')
  const s = new OAuth1Signer({ consumerKey: 'ck', key: k })
  assert.doesNotMatch(inspect(s), /PRIVATE|MII/)
  assert.match(JSON.stringify(s), /REDACTED/)
  assert.throws(() => new SigningKey({}), TypeError)
})

test('key errors are SigningKeyError and never hold the password', () => {
  const cases = [
    () => loadPkcs12(key('modern.p12'), 'wrong-secret-pw'),
    () => loadPkcs12(key('modern.p12'), P12_PASSWORD, 'no-such-alias'),
    () => loadPkcs12(Buffer.from('not a key store'), 'wrong-secret-pw'),
    () => new OAuth1Signer({ consumerKey: 'ck', key: loadPkcs12(key('ec.p12'), P12_PASSWORD) }),
    () => loadPkcs12(key('missing.p12'), 'wrong-secret-pw'),
    () => loadPem(key('encrypted.pem'), 'wrong-secret-pw'),
    () => loadPem(key('encrypted.pem')),
    () => new OAuth1Signer({ consumerKey: 'ck', key: loadPem(key('ec.pem')) }),
    () => loadPem('-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n', 'wrong-secret-pw'),
  ]
  for (const c of cases) {
    assert.throws(c, (e) => {
      assert.ok(e instanceof SigningKeyError, `${e}`)
      assert.ok(e instanceof FinauthError)
      assert.equal(e.code, 'SIGNING_KEY')
      assert.ok(e.message.length > 10)
      assert.doesNotMatch(e.message, /wrong-secret-pw|keystorepassword|test-password/)
      return true
    })
  }
  assert.throws(() => loadPkcs12(key('modern.p12'), P12_PASSWORD, 'no-such-alias'), /alias/)
  assert.equal(loadPem(key('ec.pem')).algorithm, 'EC-P256')
  assert.throws(() => new OAuth1Signer({ consumerKey: 'ck', key: loadPem(key('ec.pem')) }), /RSA/)
  assert.throws(() => loadPkcs12(key('modern.p12')), TypeError)
  assert.throws(() => loadPem(42), TypeError)
})

test('signer options are checked', () => {
  const k = loadPem(key('pkcs8.pem'))
  assert.throws(() => new OAuth1Signer({ consumerKey: '', key: k }), { code: 'CONFIG' })
  assert.throws(() => new OAuth1Signer({ consumerKey: 'ck', key: k, method: 'HMAC-SHA1' }), { code: 'CONFIG' })
  assert.throws(() => new OAuth1Signer({ consumerKey: 'ck', key: 'pem' }), TypeError)
  assert.throws(() => new OAuth1Signer({ consumerKey: 'ck', key: k, extra: 1 }), { code: 'CONFIG' })
})

test('the header has the reference shape; two signatures differ only in nonce, timestamp, signature', async () => {
  const s = signer()
  const uri = 'https://API.example.com:443/a/b?x=1&y=%20z'
  const h1 = await s.authorizationHeader('POST', uri, '{"a":1}')
  const h2 = s.authorizationHeaderSync('POST', uri, Buffer.from('{"a":1}'))
  assert.match(h1, /^OAuth oauth_body_hash="[^"]+",oauth_nonce="[0-9A-Za-z]{16}",oauth_signature="[^"]+",oauth_consumer_key="consumer-key!abc",oauth_signature_method="RSA-SHA256",oauth_timestamp="\d+",oauth_version="1.0"$/)
  const p1 = parse(h1)
  const p2 = parse(h2)
  assert.deepEqual(Object.keys(p1), Object.keys(p2))
  for (const k of Object.keys(p1)) {
    if (['oauth_nonce', 'oauth_timestamp', 'oauth_signature'].includes(k)) continue
    assert.equal(p1[k], p2[k], k)
  }
  assert.notEqual(p1.oauth_nonce, p2.oauth_nonce)
  assert.notEqual(p1.oauth_signature, p2.oauth_signature)
  assert.ok(Math.abs(Number(p1.oauth_timestamp) - Date.now() / 1000) < 60)
  assert.equal(p1.oauth_body_hash, bodyHash('{"a":1}'))
  assert.equal(parse(s.authorizationHeaderSync('GET', uri)).oauth_body_hash, '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
})

test('signatures verify with node crypto over the base string (RSA-SHA256 and RSA-PSS)', async () => {
  const s = signer()
  for (const [m, uri, body] of [
    ['GET', 'https://sandbox.api.mastercard.com/atms/v1/atm?Format=XML&PageOffset=0', undefined],
    ['POST', 'https://api.example.com/x/%7Ey?a=b+c&a=a&q=%E2%82%AC', '{"amount":10}'],
    ['DELETE', 'http://Example.COM:8080/', ''],
  ]) {
    assert.ok(verify(await s.authorizationHeader(m, uri, body), m, uri, body), uri)
    assert.ok(verify(s.authorizationHeaderSync(m, uri, body), m, uri, body), uri)
  }
  const pss = new OAuth1Signer({ consumerKey: 'ck', key: loadPkcs12(key('modern.p12'), P12_PASSWORD), method: 'RSA-PSS' })
  const h = await pss.authorizationHeader('PUT', 'https://api.example.com/p?z=1', 'body')
  assert.equal(parse(h).oauth_signature_method, 'RSA-PSS')
  assert.ok(verify(h, 'PUT', 'https://api.example.com/p?z=1', 'body', true))
  // a changed body or URI no longer verifies
  assert.ok(!verify(h.replace(/oauth_body_hash="[^"]+"/, `oauth_body_hash="${bodyHash('x')}"`), 'PUT', 'https://api.example.com/p?z=1', 'x', true))
})

test('bad requests reject with CONFIG', async () => {
  const s = signer()
  await assert.rejects(s.authorizationHeader('GET', 'not a uri'), (e) => e instanceof FinauthError && e.code === 'CONFIG')
  assert.throws(() => s.authorizationHeaderSync('GET', 'not a uri'), { code: 'CONFIG' })
  assert.throws(() => s.authorizationHeaderSync('GET', 'https://x.com/', 42), TypeError)
})

async function server(t) {
  const seen = []
  const srv = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: Buffer.concat(chunks) })
      res.end('ok')
    })
  })
  await new Promise((r) => srv.listen(0, '127.0.0.1', r))
  t.after(() => new Promise((r) => srv.close(r)))
  return { base: `http://127.0.0.1:${srv.address().port}`, seen }
}

test('signer.fetch signs the exact bytes sent', async (t) => {
  const { base, seen } = await server(t)
  const s = signer()
  const resp = await s.fetch(`${base}/pay?x=1`, { method: 'POST', body: '{"a":"€"}', headers: { 'content-type': 'application/json' } })
  assert.equal(await resp.text(), 'ok')
  await (await s.fetch(`${base}/get`)).text()
  assert.equal(seen.length, 2)
  assert.equal(seen[0].body.toString(), '{"a":"€"}')
  assert.ok(verify(seen[0].auth, 'POST', `${base}/pay?x=1`, seen[0].body))
  assert.ok(verify(seen[1].auth, 'GET', `${base}/get`, ''))
})

test('finauth/axios attachOAuth1Signer signs each request', async (t) => {
  const axios = require('axios')
  const { base, seen } = await server(t)
  const client = axios.create({ baseURL: base })
  const detach = attachOAuth1Signer(client, signer())
  await client.post('/items', { b: 2 }, { params: { q: 'a b' } })
  await client.get('/items')
  assert.equal(seen.length, 2)
  assert.equal(seen[0].body.toString(), '{"b":2}')
  assert.ok(verify(seen[0].auth, 'POST', base + seen[0].url, seen[0].body))
  assert.ok(verify(seen[1].auth, 'GET', base + seen[1].url, ''))
  detach()
  await client.get('/items')
  assert.equal(seen[2].auth, undefined)
  assert.throws(() => attachOAuth1Signer(client, {}), TypeError)
})

test('100 concurrent async signs complete while the event loop keeps ticking', async () => {
  const s = signer()
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const started = Date.now()
  const headers = await Promise.all(Array.from({ length: 100 }, (_, i) => s.authorizationHeader('POST', `https://api.example.com/c?i=${i}`, `b${i}`)))
  clearInterval(timer)
  assert.equal(new Set(headers.map((h) => parse(h).oauth_nonce)).size, 100)
  for (const i of [0, 42, 99]) assert.ok(verify(headers[i], 'POST', `https://api.example.com/c?i=${i}`, `b${i}`))
  const elapsed = Date.now() - started
  assert.ok(ticks >= 1 && ticks >= elapsed / 20, `event loop ticked ${ticks} times in ${elapsed} ms`)
})

test('every corpus case matches the Java reference byte for byte', () => {
  const ref = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'core', 'tests', 'oauth1-reference', 'expected.json'), 'utf8'))
  assert.ok(ref.cases.length >= 40)
  const s = new OAuth1Signer({ consumerKey: ref.consumer_key, key: loadPkcs12(key('legacy.p12'), P12_PASSWORD, 'signing-key') })
  const failures = []
  for (const c of ref.cases) {
    const header = s.authorizationHeaderWith(c.method, c.uri, Buffer.from(c.body, 'utf8'), ref.nonce, ref.timestamp)
    const items = header.slice(6).split(',').map((i) => i.slice(0, i.indexOf('=')))
    if (items.join() !== ref.header_order.join()) failures.push(`header order: ${c.method} ${c.uri}`)
    const p = parse(header)
    if (decodeURIComponent(p.oauth_signature) !== c.signature) failures.push(`signature: ${c.method} ${c.uri}`)
    const params = { ...p }
    delete params.oauth_signature
    if (signatureBaseString(c.method, c.uri, params) !== c.base_string) failures.push(`base string: ${c.method} ${c.uri}`)
  }
  assert.deepEqual(failures, [])
})

test('the sandbox verifier accepts requests signed by fetch and axios (RSA-SHA256 and RSA-PSS)', async (t) => {
  const { Sandbox } = require('./helpers.js')
  const ck = 'node-consumer-key'
  const sb = await Sandbox.start('--oauth1-key', `${ck}:${key('public.pem')}`)
  t.after(() => sb.stop())
  const axios = require('axios')
  for (const method of ['RSA-SHA256', 'RSA-PSS']) {
    const s = new OAuth1Signer({ consumerKey: ck, key: loadPem(key('pkcs8.pem')), method })
    const posted = await s.fetch(`${sb.url}/oauth1/payments?Format=JSON&q=a%20b`, { method: 'POST', body: JSON.stringify({ amount: 10, note: 'café' }) })
    assert.equal(posted.status, 200, await posted.clone().text())
    assert.equal((await posted.json()).ok, true)
    const got = await s.fetch(`${sb.url}/oauth1/atms?PageOffset=0&PageLength=10`)
    assert.equal(got.status, 200, await got.text())
    const client = axios.create({ baseURL: sb.url })
    attachOAuth1Signer(client, s)
    const r = await client.put('/oauth1/items', { b: [1, 2] }, { params: { z: '~', q: 'x y' } })
    assert.equal(r.data.ok, true)
  }
  const header = signer().authorizationHeaderSync('POST', `${sb.url}/oauth1/x`, 'one body')
  const tampered = await fetch(`${sb.url}/oauth1/x`, { method: 'POST', body: 'another body', headers: { authorization: header.replace('consumer-key!abc', ck) } })
  assert.equal(tampered.status, 401)
  const stats = (await sb.admin('GET', '/__admin/stats')).oauth1[ck]
  assert.deepEqual(stats, { accepted: 6, rejected: 1 })
})
