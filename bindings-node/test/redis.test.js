'use strict'
// RedisStore: objects that share nothing but a Redis server share one token and one guard.
const test = require('node:test')
const assert = require('node:assert/strict')
const { inspect } = require('node:util')
const { PartnerAuth, RedisStore, ConfigError } = require('..')
const { sandbox, options } = require('./helpers')

const REDIS_URL = process.env.FINAUTH_TEST_REDIS_URL
const skip = REDIS_URL ? false : 'FINAUTH_TEST_REDIS_URL is not set (scripts/test.sh starts a redis-server)'
if (!REDIS_URL && process.env.CI) {
  throw new Error('FINAUTH_TEST_REDIS_URL must be set in CI so the RedisStore tests run')
}

test('two objects sharing only Redis authenticate once', { skip }, async (t) => {
  const sb = await sandbox(t)
  const prefix = `finauth-node-test-${process.pid}-${Date.now()}`
  const make = () => new PartnerAuth(options(sb, { store: new RedisStore({ url: REDIS_URL, prefix }) }))
  const a = make()
  const b = make()
  const [ta, tb] = [await a.token(), await b.token()]
  assert.equal(ta, tb)
  assert.equal(await sb.authRequests(), 1)
  assert.equal(b.stats().tokensAdopted, 1)
})

test('a RedisStore never shows its URL and refuses other schemes', { skip }, () => {
  const store = new RedisStore({ url: 'redis://user:hunter2secret@127.0.0.1:1/0' })
  for (const shown of [inspect(store), JSON.stringify(store), String(store.description)]) {
    assert.ok(!shown.includes('hunter2secret'), shown)
  }
  assert.throws(() => new RedisStore({ url: 'http://127.0.0.1:1' }), ConfigError)
  assert.throws(() => new RedisStore({}), TypeError)
})
