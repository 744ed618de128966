'use strict'
// Runs Mastercard's Node signer (npm mastercard-oauth1-signer) over the conformance corpus.
// Usage: NODE_PATH=<dir with node_modules> node mastercard_node.js corpus.tsv key.pem > out.json
// The nonce, timestamp and consumer key are those of Reference.java: the library's own
// getNonce/getTimestamp are replaced, and getSignatureBaseString is wrapped to record the base
// string it signs. One JSON object per corpus entry: base_string, header, or error.
const fs = require('node:fs')
const OAuth = require('mastercard-oauth1-signer')
const { version } = require('mastercard-oauth1-signer/package.json')

const CONSUMER_KEY = 'Xyz-consumer_KEY!0123456789abcdefABCDEF'
const NONCE = 'aB3dE6gH9jK2mN5p'
const TIMESTAMP = 1764100000

function* corpus(path) {
  for (const line of fs.readFileSync(path, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const f = line.split('\t')
    const body = (f[2] ?? '').replaceAll('\\t', '\t').replaceAll('\\n', '\n')
    yield [f[0], f[1], body]
  }
}

const key = fs.readFileSync(process.argv[3], 'utf8')
OAuth.getNonce = () => NONCE
OAuth.getTimestamp = () => TIMESTAMP
let seen
const original = OAuth.getSignatureBaseString
OAuth.getSignatureBaseString = function (...args) {
  seen = original.apply(this, args)
  return seen
}

const cases = []
for (const [method, uri, body] of corpus(process.argv[2])) {
  seen = undefined
  const c = { method, uri }
  try {
    c.header = OAuth.getAuthorizationHeader(uri, method, body || null, CONSUMER_KEY, key)
  } catch (e) {
    c.error = `${e.name}: ${e.message}`
  }
  if (seen !== undefined) c.base_string = seen
  cases.push(c)
}
process.stdout.write(JSON.stringify({ signer: `mastercard-oauth1-signer ${version} (npm)`, cases }, null, 1) + '\n')
