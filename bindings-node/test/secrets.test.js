'use strict'
// No secret, App Key or token in inspect, JSON.stringify, toString, error messages or stacks.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const finauth = require('..')
const { PartnerAuth, MemoryStore } = finauth
const { sandbox, options, tempDir, SECRET, APP_KEY } = require('./helpers.js')

function renderings(x) {
  return [
    util.inspect(x),
    util.inspect(x, { showHidden: true, depth: Infinity, getters: true }),
    util.format('%o %O %s %j', x, x, x, x),
    JSON.stringify(x) ?? '',
    String(x),
    `${x}`,
    Object.prototype.toString.call(x),
    JSON.stringify(Object.entries(x)),
  ]
}

function assertClean(texts, secrets) {
  for (const text of texts) {
    for (const s of secrets) assert.ok(!text.includes(s), `a secret appears in: ${text}`)
  }
}

test('PartnerAuth never shows its secret, App Key or token', async (t) => {
  const sb = await sandbox(t)
  const auth = new PartnerAuth(options(sb, { store: new MemoryStore() }))
  const token = await auth.token()
  assert.equal(Object.keys(auth).length, 0)
  assertClean(renderings(auth), [SECRET, APP_KEY, token])
  assert.match(util.inspect(auth), /finauth-demo-partner/)
  assertClean(renderings(auth.stats()), [SECRET, APP_KEY, token])
  assertClean(renderings(await auth.guardStatus()), [SECRET, APP_KEY, token])
  assertClean(renderings(new finauth.FileStore(tempDir())), [SECRET])
})

test('errors never show the secret, the App Key or a token', async (t) => {
  const sb = await sandbox(t)
  const wrong = 'WrongSecret-7c1f9e'
  const seen = []
  const auth = new PartnerAuth(options(sb, { partnerSecret: wrong }))
  for (let i = 0; i < 2; i++) {
    try {
      await auth.token()
    } catch (e) {
      seen.push(e)
    }
  }
  const good = new PartnerAuth(options(sb))
  const token = await good.token()
  await assert.rejects(good.modifyPartnerSecret(`${SECRET}`), (e) => (seen.push(e), true))
  await assert.rejects(good.modifyPartnerSecret('Tiny1'), (e) => (seen.push(e), true))
  const badNew = 'NoDigitsHereAtAll'
  await assert.rejects(good.modifyPartnerSecret(badNew), (e) => (seen.push(e), true))
  for (const bad of [{ partnerSecret: `bad\nsecret-${wrong}` }, { appKey: `bad key ${APP_KEY}x` }]) {
    try {
      new PartnerAuth(options(sb, bad))
    } catch (e) {
      seen.push(e)
    }
  }
  assert.ok(seen.length >= 6)
  for (const e of seen) {
    assert.ok(e instanceof finauth.FinauthError)
    const texts = [e.message, e.stack, String(e), util.inspect(e), util.inspect(e, { showHidden: true }), JSON.stringify(e)]
    assertClean(texts, [wrong, SECRET, token, badNew, `${APP_KEY}x`])
  }
})
