'use strict'
// Mastercard payload encryption in Node: finauth (`new PayloadEncryption({...})`) against
// Mastercard's official `mastercard-client-encryption` package, the same payloads, the same
// operations, one process. Prints figures, asserts nothing about timings (it does check that
// every decryption gives the payload back, so that both libraries are measured doing the work).
//
// Operations (both libraries string in, string out: the body as it travels; for the official
// library that includes the JSON.parse of the input and the JSON.stringify of its object result,
// which its API needs: it mutates the object it is given):
//   jwe_encrypt_1k / jwe_encrypt_1m: the whole payload at `$ -> $` into
//     {"encryptedData": "<compact JWE>"} (RSA-OAEP-256 to the 2048-bit test certificate, A256GCM);
//   jwe_decrypt_1k / jwe_decrypt_1m: that body decrypted at `$.encryptedData -> $`;
//   fle_decrypt_1k: the field-level scheme (HEX, OAEP SHA-256, AES-128-CBC) at
//     `$.encryptedData -> $.data` of the payload encrypted at `$.data -> $.encryptedData`.
// The ciphertexts decrypted are made once, before measuring, by the official library (its own
// format: 16-byte JWE IV) and both libraries decrypt the same text. A NOTE line gives the cost of
// JSON.parse + JSON.stringify of each payload alone.
//
// Output: `RESULT node <lib> <op> <microseconds per op, median of rounds> <ops/s>`.
// FINAUTH_BENCH_SECONDS (per round, default 1), FINAUTH_BENCH_ROUNDS (default 5);
// FINAUTH_BENCH_ONLY (a regular expression on `<lib> <op>`) selects figures;
// FINAUTH_NODE_ADDON names the addon file to load (the release build, from run.sh).
const path = require('node:path')
const crypto = require('node:crypto')
const { isDeepStrictEqual } = require('node:util')

const ROOT = path.resolve(__dirname, '..', '..')
const KEYS = path.join(ROOT, 'core', 'tests', 'encryption-keys')
const CERT = path.join(KEYS, 'client-encryption-cert.pem')
const KEY_PEM = path.join(KEYS, 'client-encryption-key.pem')
const KEY_P12 = path.join(KEYS, 'client-encryption-key.p12')
const SECONDS = Number(process.env.FINAUTH_BENCH_SECONDS || '1')
const ROUNDS = Number(process.env.FINAUTH_BENCH_ROUNDS || '5')

// `{"data":{"items":[...],"pad":"x..."}}` of exactly `size` bytes: the rule of
// bench/benches/encryption.rs (compact, ASCII, whole items, then `pad`).
function payload(size) {
  const head = '{"data":{"items":['
  const tailOpen = '],"pad":"'
  const tailClose = '"}}'
  const fixed = head.length + tailOpen.length + tailClose.length
  const parts = []
  let length = 0
  for (let i = 0; ; i++) {
    const item =
      `{"id":${i},"card":"5123450000${String(i).padStart(6, '0')}","merchant":"Merchant ${i}",` +
      `"amount":"${(i * 37) % 1000}.${String(i % 100).padStart(2, '0')}"}`
    const sep = i > 0 ? 1 : 0
    if (fixed + length + sep + item.length > size) break
    parts.push(item)
    length += sep + item.length
  }
  const items = parts.join(',')
  const out = head + items + tailOpen + 'x'.repeat(size - fixed - items.length) + tailClose
  if (out.length !== size) throw new Error('payload size')
  return out
}

// Seconds per call: the median over ROUNDS rounds of SECONDS each, after a warm-up.
function measure(fn) {
  const now = () => Number(process.hrtime.bigint()) / 1e9
  const warm = now() + Math.min(0.3, SECONDS)
  while (now() < warm) fn()
  const perRound = []
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0
    let elapsed
    const start = now()
    for (;;) {
      fn()
      n++
      elapsed = now() - start
      if (elapsed >= SECONDS) break
    }
    perRound.push(elapsed / n)
  }
  perRound.sort((a, b) => a - b)
  const m = perRound.length
  return m % 2 ? perRound[(m - 1) / 2] : (perRound[m / 2 - 1] + perRound[m / 2]) / 2
}

// FINAUTH_BENCH_ONLY (a regular expression on `<lib> <op>`) runs only the matching figures.
const ONLY = process.env.FINAUTH_BENCH_ONLY ? new RegExp(process.env.FINAUTH_BENCH_ONLY) : null

function report(lib, op, fn) {
  if (ONLY && !ONLY.test(`${lib} ${op}`)) return
  const s = measure(fn)
  console.log(`RESULT node ${lib} ${op} ${(s * 1e6).toFixed(1)} ${(1 / s).toFixed(1)}`)
}

function check(ok, what) {
  if (!ok) {
    console.error(`error: ${what}`)
    process.exit(1)
  }
}

// Equal as JSON values (finauth writes object members in sorted order, the official library in
// insertion order: the text differs, the value does not).
const same = (a, b) => isDeepStrictEqual(JSON.parse(a), JSON.parse(b))

function main() {
  const finauth = require(path.join(ROOT, 'bindings-node'))
  const mc = require('mastercard-client-encryption')
  const mcVersion = require('mastercard-client-encryption/package.json').version
  const addon = process.env.FINAUTH_NODE_ADDON || path.join(ROOT, 'bindings-node', require(path.join(ROOT, 'bindings-node', 'binding-name.js')).fileName)
  console.log(`NOTE node ${process.version}, finauth addon ${path.relative(ROOT, addon)}, mastercard-client-encryption ${mcVersion}`)

  const texts = { '1k': payload(1024), '1m': payload(1024 * 1024) }
  for (const [n, t] of Object.entries(texts)) {
    console.log(`NOTE payload-${n} ${t.length} bytes sha256 ${crypto.createHash('sha256').update(t).digest('hex')}`)
  }

  const cert = finauth.loadEncryptionCertificate(CERT)
  const key = finauth.loadDecryptionKey(KEY_P12, 'keystorepassword')
  const faJwe = new finauth.PayloadEncryption({
    scheme: 'jwe',
    encryptionCertificate: cert,
    decryptionKey: key,
    encryptionPaths: { $: '$' },
    decryptionPaths: { '$.encryptedData': '$' },
  })
  const faFle = new finauth.PayloadEncryption({
    scheme: 'fle',
    encryptionCertificate: cert,
    decryptionKey: key,
    encryptionPaths: { '$.data': '$.encryptedData' },
    decryptionPaths: { '$.encryptedData': '$.data' },
    fieldEncoding: 'hex',
    oaep: 'SHA-256',
  })

  // The official library, configured as its README does for the same paths.
  const URL = '/bench'
  const mcJwe = new mc.JweEncryption({
    paths: [{ path: URL, toEncrypt: [{ element: '$', obj: '$' }], toDecrypt: [{ element: '$', obj: '$' }] }],
    mode: 'JWE',
    encryptedValueFieldName: 'encryptedData',
    encryptionCertificate: CERT,
    privateKey: KEY_PEM,
  })
  const mcFle = new mc.FieldLevelEncryption({
    paths: [
      {
        path: URL,
        toEncrypt: [{ element: 'data', obj: 'encryptedData' }],
        toDecrypt: [{ element: 'encryptedData', obj: 'data' }],
      },
    ],
    ivFieldName: 'iv',
    encryptedKeyFieldName: 'encryptedKey',
    encryptedValueFieldName: 'encryptedValue',
    oaepHashingAlgorithmFieldName: 'oaepHashingAlgorithm',
    publicKeyFingerprintType: 'publicKey',
    publicKeyFingerprintFieldName: 'encryptionKeyFingerprint',
    dataEncoding: 'hex',
    oaepPaddingDigestAlgorithm: 'SHA-256',
    encryptionCertificate: CERT,
    privateKey: KEY_PEM,
  })
  const mcEncrypt = (lib, text) => JSON.stringify(lib.encrypt(URL, {}, JSON.parse(text)).body)
  const mcDecrypt = (lib, text) => JSON.stringify(lib.decrypt({ request: { url: URL }, body: JSON.parse(text) }))

  // The ciphertexts to decrypt: the official library's own output, decrypted by both; and the
  // other way round once (finauth's 12-byte-IV tokens read by the official library).
  const jweBodies = {}
  for (const [n, t] of Object.entries(texts)) {
    jweBodies[n] = mcEncrypt(mcJwe, t)
    check(same(faJwe.decryptPayload(jweBodies[n]), t), `finauth decrypts the official JWE body ${n}`)
    check(same(mcDecrypt(mcJwe, jweBodies[n]), t), `the official library decrypts its JWE body ${n}`)
    check(same(mcDecrypt(mcJwe, faJwe.encryptPayload(t)), t), `the official library decrypts finauth's JWE body ${n}`)
  }
  const fleBody = mcEncrypt(mcFle, texts['1k'])
  check(same(faFle.decryptPayload(fleBody), texts['1k']), 'finauth decrypts the official field-level body')
  check(same(mcDecrypt(mcFle, fleBody), texts['1k']), 'the official library decrypts its field-level body')
  check(same(mcDecrypt(mcFle, faFle.encryptPayload(texts['1k'])), texts['1k']), "the official library decrypts finauth's field-level body")

  for (const [n, t] of Object.entries(texts)) {
    const s = measure(() => JSON.stringify(JSON.parse(t)))
    console.log(`NOTE node JSON.parse+JSON.stringify of payload-${n}: ${(s * 1e6).toFixed(1)} us`)
  }
  for (const n of ['1k', '1m']) {
    const t = texts[n]
    report('finauth', `jwe_encrypt_${n}`, () => faJwe.encryptPayload(t))
    report('official', `jwe_encrypt_${n}`, () => mcEncrypt(mcJwe, t))
  }
  for (const n of ['1k', '1m']) {
    const b = jweBodies[n]
    report('finauth', `jwe_decrypt_${n}`, () => faJwe.decryptPayload(b))
    report('official', `jwe_decrypt_${n}`, () => mcDecrypt(mcJwe, b))
  }
  report('finauth', 'fle_decrypt_1k', () => faFle.decryptPayload(fleBody))
  report('official', 'fle_decrypt_1k', () => mcDecrypt(mcFle, fleBody))
}

main()
