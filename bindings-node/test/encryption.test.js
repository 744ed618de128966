'use strict'
// Payload encryption through the Node binding: Mastercard's Java library's payloads decrypt,
// every case round-trips, Mastercard's published tokens (Node's "base64url" with `/` among
// them) decrypt, damage is an EncryptionError, and keys load in every format.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { inspect } = require('node:util')
const finauth = require('..')
const { ROOT } = require('./helpers.js')

const KEYS = path.join(ROOT, 'core', 'tests', 'encryption-keys')
const REF = path.join(ROOT, 'core', 'tests', 'encryption-reference')
const CASES = JSON.parse(fs.readFileSync(path.join(REF, 'cases.json'), 'utf8'))

const cert = () => finauth.loadEncryptionCertificate(path.join(KEYS, 'client-encryption-cert.pem'))
const key = () => finauth.loadDecryptionKey(path.join(KEYS, 'client-encryption-key.p12'), 'keystorepassword')

function config(c) {
  const fle = c.scheme === 'fle'
  return new finauth.PayloadEncryption({
    scheme: c.scheme,
    encryptionCertificate: cert(),
    decryptionKey: key(),
    encryptionPaths: c.encryptionPaths,
    decryptionPaths: c.decryptionPaths,
    ...(c.encryptedValueFieldName ? { encryptedValueFieldName: c.encryptedValueFieldName } : {}),
    ...(fle ? { fieldEncoding: c.fle.encoding.toLowerCase(), oaep: c.fle.oaep, headerMode: c.fle.headerMode } : {}),
  })
}

test('the Java library payloads decrypt and every case round-trips', () => {
  assert.ok(CASES.length >= 14)
  for (const c of CASES) {
    const enc = config(c)
    const v = JSON.parse(fs.readFileSync(path.join(REF, 'vectors', `${c.name}.json`), 'utf8'))
    const clear = enc.decryptResponse(JSON.stringify(v.payload), v.headers)
    assert.deepEqual(JSON.parse(clear.toString('utf8')), c.payload, c.name)
    const r = enc.encryptRequest(JSON.stringify(c.payload))
    assert.notDeepEqual(JSON.parse(r.body), c.payload)
    assert.equal(Object.keys(r.headers).length > 0, Boolean(c.fle && c.fle.headerMode), c.name)
    const upper = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toUpperCase(), v]))
    assert.deepEqual(JSON.parse(enc.decryptResponse(r.body, new Headers(upper))), c.payload, c.name)
  }
})

test("Mastercard's published tokens decrypt, Node's base64url with '/' too", () => {
  const base = path.join(REF, 'mastercard-vectors')
  const vectors = JSON.parse(fs.readFileSync(path.join(base, 'vectors.json'), 'utf8'))
  const enc = new finauth.PayloadEncryption({ decryptionKey: finauth.loadDecryptionKey(fs.readFileSync(path.join(base, 'test_key_pkcs8-2048.der'))) })
  const tokens = vectors.filter((v) => v.kind === 'jwe-token')
  assert.ok(tokens.some((v) => v.source === 'node' && v.ivBytes === 16))
  for (const v of tokens) {
    let expected
    try {
      expected = JSON.parse(v.expected)
    } catch {
      expected = v.expected
    }
    assert.deepEqual(JSON.parse(enc.decryptPayload(JSON.stringify({ encryptedData: v.token }))), expected, v.test)
  }
})

test('strings stay strings, Buffers stay Buffers; damage is an EncryptionError', () => {
  const enc = new finauth.PayloadEncryption({ encryptionCertificate: cert(), decryptionKey: key() })
  assert.equal(enc.scheme, 'jwe')
  const text = enc.encryptPayload('{"pan":"5123450000000008"}')
  assert.equal(typeof text, 'string')
  assert.deepEqual(Object.keys(JSON.parse(text)), ['encryptedData'])
  assert.deepEqual(JSON.parse(enc.decryptPayload(text)), { pan: '5123450000000008' })
  assert.ok(Buffer.isBuffer(enc.encryptPayload(Buffer.from('{"a":1}'))))
  const token = JSON.parse(text).encryptedData
  const parts = token.split('.')
  parts[3] = parts[3].startsWith('A') ? `B${parts[3].slice(1)}` : `A${parts[3].slice(1)}`
  assert.throws(
    () => enc.decryptPayload(JSON.stringify({ encryptedData: parts.join('.') })),
    (e) => e instanceof finauth.EncryptionError && e.code === 'ENCRYPTION',
  )
  assert.throws(() => enc.decryptPayload('not json'), finauth.EncryptionError)
  assert.equal(enc.decryptPayload('{"Errors":[]}'), '{"Errors":[]}')
})

test('keys load in every format; options are checked by core', () => {
  const pem = fs.readFileSync(path.join(KEYS, 'client-encryption-key.pem'), 'utf8')
  const fp = cert().keyFingerprint
  assert.equal(finauth.loadDecryptionKey(pem).keyFingerprint, fp)
  assert.equal(finauth.loadDecryptionKey(fs.readFileSync(path.join(KEYS, 'client-encryption-key.der'))).keyFingerprint, fp)
  assert.equal(finauth.loadDecryptionKey(path.join(KEYS, 'client-encryption-key-legacy.p12'), 'keystorepassword', 'mc-encryption').keyFingerprint, fp)
  assert.equal(finauth.loadEncryptionCertificate(path.join(KEYS, 'client-encryption-cert-sha1.pem')).keyFingerprint, fp)
  assert.throws(() => finauth.loadDecryptionKey(path.join(KEYS, 'client-encryption-key.p12'), 'nope'), finauth.SigningKeyError)
  assert.ok(!inspect(key()).includes('BEGIN') && inspect(key()).includes('REDACTED'))
  assert.ok(!JSON.stringify({ k: key() }).includes('BEGIN'))
  assert.throws(() => new finauth.PayloadEncryption({ encryptionCertificate: cert(), fieldEncoding: 'hex' }), finauth.ConfigError)
  assert.throws(() => new finauth.PayloadEncryption({ encryptionCertificate: cert(), encryptionPath: {} }), /encryptionPath/)
  assert.throws(() => new finauth.PayloadEncryption({ encryptionCertificate: 'x' }), TypeError)
  const fle = new finauth.PayloadEncryption({ scheme: 'fle', encryptionCertificate: cert(), decryptionKey: key(), fieldNames: { iv: 'initVector' } })
  const out = JSON.parse(fle.encryptPayload('{"a":1}'))
  assert.ok('initVector' in out && !('iv' in out))
  assert.deepEqual(JSON.parse(fle.decryptPayload(JSON.stringify(out))), { a: 1 })
})

test('MastercardAuth.fetch encrypts, then signs the bytes sent, and decrypts the answer', async () => {
  const http = require('node:http')
  const { createHash } = require('node:crypto')
  const serverSide = new finauth.PayloadEncryption({ encryptionCertificate: cert(), decryptionKey: key() })
  const seen = []
  const srv = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const m = /oauth_body_hash="([^"]+)"/.exec(req.headers.authorization || '')
      const clear = JSON.parse(serverSide.decryptPayload(raw.toString('utf8')))
      seen.push({ hashOk: !!m && m[1] === createHash('sha256').update(raw).digest('base64'), encrypted: !raw.includes('5123450000000008'), clear })
      const answer = serverSide.encryptPayload(JSON.stringify({ echo: clear, status: 'ok' }))
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
      res.end(answer)
    })
  })
  await new Promise((r) => srv.listen(0, '127.0.0.1', r))
  try {
    const signer = new finauth.OAuth1Signer({ consumerKey: 'ck', key: finauth.loadPem(path.join(ROOT, 'core', 'tests', 'oauth1-keys', 'pkcs8.pem')) })
    const encryption = new finauth.PayloadEncryption({ encryptionCertificate: cert(), decryptionKey: key() })
    const auth = new finauth.MastercardAuth({ signer, encryption })
    const payload = { card: { pan: '5123450000000008' }, amount: 10 }
    const url = `http://127.0.0.1:${srv.address().port}/payments?x=1`
    const resp = await auth.fetch(url, { method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } })
    assert.equal(resp.status, 200)
    assert.deepEqual(await resp.json(), { echo: payload, status: 'ok' })
    assert.equal(seen.length, 1)
    assert.ok(seen[0].hashOk && seen[0].encrypted)
    assert.deepEqual(seen[0].clear, payload)
    const axios = require('axios')
    const { attachMastercardAuth } = require('../axios.js')
    const inst = axios.create()
    const detach = attachMastercardAuth(inst, auth)
    const r = await inst.post(url, payload)
    assert.deepEqual(r.data, { echo: payload, status: 'ok' })
    detach()
    assert.equal(seen.length, 2)
    assert.ok(seen[1].hashOk && seen[1].encrypted)
    const get = await auth.prepare('GET', url)
    assert.equal(get.bodyChanged, false)
    assert.ok(get.headers.Authorization.startsWith('OAuth '))
    assert.deepEqual(await auth.response('<html>502</html>', {}), Buffer.from('<html>502</html>'))
    assert.throws(() => new finauth.MastercardAuth({}), finauth.ConfigError)
  } finally {
    srv.close()
  }
})
