// The quickstart in TypeScript: checked with `tsc --strict --noEmit -p examples/node` (it is the
// type test of the package's declarations; quickstart.js is the one that runs).
import axios from 'axios'
import {
  PartnerAuth,
  FileStore,
  FinauthError,
  LockoutGuardError,
  type FinicityHeaders,
  type GuardStatus,
  type Stats,
} from 'finauth'
import { attachFinicityAuth } from 'finauth/axios'

async function main(): Promise<number> {
  const auth: PartnerAuth =
    process.env.FINICITY_PARTNER_ID !== undefined
      ? PartnerAuth.fromEnv()
      : new PartnerAuth({
          partnerId: 'finauth-demo-partner',
          partnerSecret: 'DemoSecret2026',
          appKey: 'demo-app-key',
          baseUrl: 'http://127.0.0.1:8080',
          allowInsecureLoopback: true,
          store: new FileStore('/tmp/finauth'),
          refreshAfter: 5400,
          tokenLifetime: 7200,
          maxFailedAttempts: 3,
          timeout: 30,
        })
  try {
    const token: string = await auth.token()
    const headers: FinicityHeaders = await auth.headers()
    const resp: Response = await auth.fetch(`${auth.baseUrl}aggregation/v1/customers`, { method: 'GET' })
    const client = axios.create({ baseURL: auth.baseUrl })
    const detach: () => void = attachFinicityAuth(client, auth)
    const r = await client.get<{ found: number }>('/aggregation/v1/customers')
    detach()
    const dropped: boolean = await auth.invalidate(token)
    await auth.modifyPartnerSecret('NewDemoSecret2027', false)
    auth.setAppKey(headers['Finicity-App-Key'])
    await auth.resetLockoutGuard()
    const guard: GuardStatus = await auth.guardStatus()
    const stats: Stats = auth.stats()
    console.log(resp.status, r.data.found, dropped, guard.locked ?? 'not locked', stats.authRequests)
    return 0
  } catch (e) {
    if (e instanceof LockoutGuardError) {
      console.error(e.failedAttempts, e.reason, e.hint)
      return 1
    }
    if (e instanceof FinauthError) {
      const code: string = e.code
      console.error(code, e.message, e.attemptsRemaining, e.retryAfter, e.status, e.finicityCode)
      return 1
    }
    throw e
  }
}

void main().then((code) => {
  process.exitCode = code
})
