'use strict'
// A hostile server: a token that would become a second header is refused by core before JS sees
// it (token(), headers(), fetch, axios, the store), and nothing that was sent comes back in an
// error message, wherever the server puts it.
const test = require('node:test')
const assert = require('node:assert/strict')
const { readdirSync, readFileSync, writeFileSync } = require('node:fs')
const path = require('node:path')
const axios = require('axios')
const { PartnerAuth, FileStore, ServerError, FinauthError } = require('..')
const { attachFinicityAuth } = require('../axios.js')
const { sandbox, options, tempDir } = require('./helpers.js')

const PATH = '/aggregation/v1/customers'
const BAD = { CR: '\r', LF: '\n', CRLF: '\r\n', NUL: '\0', ESC: '\x1b', DEL: '\x7f' }
const hostile = (bad) => `abc${bad}X-Injected: 1`

function answer(bad, shape) {
  return shape === 'json'
    ? { status: 200, content_type: 'application/json', body: JSON.stringify({ token: hostile(bad) }) }
    : { status: 200, content_type: 'application/xml', body: `<access><token>${hostile(bad)}</token></access>` }
}

function storedText(dir) {
  return readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f), 'latin1'))
    .join('')
}

for (const [name, bad] of Object.entries(BAD)) {
  for (const shape of ['json', 'xml']) {
    test(`a token with ${name} in a ${shape} answer is refused everywhere`, async (t) => {
      const sb = await sandbox(t)
      const dir = tempDir()
      const auth = new PartnerAuth(options(sb, { store: new FileStore(dir) }))
      await sb.fault(answer(bad, shape), 4)
      await assert.rejects(auth.token(), (e) => e instanceof ServerError && e.code === 'SERVER' && !e.message.includes('Injected'))
      await assert.rejects(auth.headers(), ServerError)
      await assert.rejects(auth.fetch(sb.url + PATH), ServerError)
      const client = axios.create()
      attachFinicityAuth(client, auth)
      await assert.rejects(client.get(sb.url + PATH), ServerError)
      assert.equal(await sb.endpoint(`GET ${PATH}`), 0, 'no request carried it')
      assert.equal((await auth.guardStatus()).failedAttempts, 0)
      assert.ok(!storedText(dir).includes('Injected'))
    })
  }
}

test('a store document edited to hold a CRLF token is refused on adoption', async (t) => {
  const sb = await sandbox(t)
  const dir = tempDir()
  const first = new PartnerAuth(options(sb, { store: new FileStore(dir) }))
  const good = await first.token()
  let edited = 0
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f)
    const text = readFileSync(p, 'utf8')
    if (text.includes(good)) {
      writeFileSync(p, text.replace(JSON.stringify(good), JSON.stringify(hostile('\r\n'))))
      edited += 1
    }
  }
  assert.equal(edited, 1)
  const second = new PartnerAuth(options(sb, { store: new FileStore(dir) }))
  const token = await second.token()
  assert.ok(!token.includes('Injected') && token !== good)
  assert.equal(await sb.authRequests(), 2)
  assert.ok(!storedText(dir).includes('Injected'))
})

const leaked = (text, secret) => [...Array(secret.length + 1).keys()].filter((n) => n >= 4 && text.includes(secret.slice(0, n)))

for (const status of [500, 400]) {
  test(`a secret or App Key around the cut of an HTTP ${status} message never reaches the error`, async (t) => {
    const sb = await sandbox(t)
    const secret = 'HostileSecret2026xyz1'
    const appKey = 'hostile-appkey-Z9w4'
    for (const value of [secret, appKey]) {
      for (let at = 300 - value.length - 3; at <= 303; at++) {
        const auth = new PartnerAuth(options(sb, { partnerSecret: secret, appKey }))
        const message = 'm'.repeat(at) + value + ' is over the limit'
        await sb.fault({ status, content_type: 'application/json', body: JSON.stringify({ code: 1000, message }) })
        const e = await auth.token().then(
          () => assert.fail('the fault must fail token()'),
          (err) => err,
        )
        assert.ok(e instanceof FinauthError)
        // Not the stack: it names this file, hostile.test.js.
        const text = `${e.message} ${String(e)} ${JSON.stringify(e)}`
        assert.deepEqual(leaked(text, value), [], `${value} at ${at}: ${e.message}`)
        assert.ok(e.message.includes('code 1000') && !e.message.includes('Some('), e.message)
      }
    }
  })
}
