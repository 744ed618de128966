// finauth quickstart for Node: a token for 100 concurrent callers, the headers of a Finicity call,
// a real call through auth.fetch, the same through axios (if installed), and the counters.
//
// Configured by environment variables (FINICITY_PARTNER_ID, FINICITY_PARTNER_SECRET,
// FINICITY_APP_KEY, FINICITY_BASE_URL, FINAUTH_ALLOW_INSECURE_LOOPBACK=1 for the local sandbox).
// scripts/quickstart-node.sh starts the sandbox and runs this file.
'use strict'
const { PartnerAuth, FinauthError, ConfigError } = require('finauth')

async function main() {
  let auth
  try {
    auth = PartnerAuth.fromEnv()
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`configuration: ${e.message}`)
      return 2
    }
    throw e
  }
  console.log(auth)
  const base = auth.baseUrl.replace(/\/$/, '')
  try {
    const tokens = await Promise.all(Array.from({ length: 100 }, () => auth.token()))
    console.log(`100 concurrent calls got ${new Set(tokens).size} distinct token(s) of ${tokens[0].length} characters`)
    console.log('headers:', Object.keys(await auth.headers()).sort())

    const resp = await auth.fetch(`${base}/aggregation/v1/customers`)
    console.log('fetch GET /aggregation/v1/customers ->', resp.status)

    let axios = null
    try {
      axios = require('axios')
    } catch {
      console.log('axios is not installed: skipping the axios part')
    }
    if (axios) {
      const { attachFinicityAuth } = require('finauth/axios')
      const client = axios.create({ baseURL: base })
      attachFinicityAuth(client, auth)
      const r = await client.get('/aggregation/v1/customers')
      console.log('axios GET /aggregation/v1/customers ->', r.status)
    }
  } catch (e) {
    if (e instanceof FinauthError) {
      console.error(`${e.name} (${e.code}): ${e.message}`)
      return 1
    }
    throw e
  }
  const stats = auth.stats()
  console.log(`authentications: ${stats.authRequests}, cache hits: ${stats.cacheHits}`)
  console.log('guard:', await auth.guardStatus())
  return 0
}

main().then((code) => {
  process.exitCode = code
})
