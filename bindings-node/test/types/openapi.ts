// The typed use of `finauth/openapi` with the generated clients: checked by scripts/test-node.sh
// (`tsc --strict --noEmit`, against the generated TypeScript sources themselves), so that the
// declarations stay structurally compatible with typescript-fetch's `Middleware` and with the
// axios instance typescript-axios takes. Never run.
import axios from 'axios'
import { PartnerAuth, OAuth1Signer, PayloadEncryption, ClientCredentials, AccountLockedError } from 'finauth'
import { attachAxios, detachAxios, fetchMiddleware, type OpenApiFetchMiddleware, type OpenApiAuthOptions } from 'finauth/openapi'
import openapi from 'finauth/openapi'
import * as ax from 'generated-typescript-axios'
import * as fe from 'generated-typescript-fetch'

export async function finicity(auth: PartnerAuth): Promise<number> {
  // typescript-axios: the instance goes to the API class; no apiKey needed (finauth sets both headers).
  const instance = attachAxios(axios.create(), { partnerAuth: auth })
  const customers = new ax.CustomersApi(new ax.Configuration({ basePath: 'https://api.finicity.com' }), undefined, instance)
  const { data } = await customers.getCustomers(undefined, undefined, 1, 25)
  const config: ax.ModelConfiguration = (await new ax.PartnersApi(undefined, undefined, instance).getPartnerConfiguration()).data
  const removed: boolean = detachAxios(instance)

  // typescript-fetch: a Middleware of the Configuration.
  const middleware: fe.Middleware = fetchMiddleware({ partnerAuth: auth })
  const configuration = new fe.Configuration({ basePath: 'https://api.finicity.com', middleware: [middleware] })
  try {
    const list: fe.Customers = await new fe.CustomersApi(configuration).getCustomers({ limit: 25 })
    return data.found + list.found + (removed ? 0 : 1) + String(config.partnerId).length
  } catch (e) {
    if (e instanceof AccountLockedError) return -1
    if (e instanceof fe.ResponseError) return e.response.status
    throw e
  }
}

export async function mastercard(signer: OAuth1Signer, encryption: PayloadEncryption, cc: ClientCredentials): Promise<void> {
  const options: OpenApiAuthOptions = { signer, encryption }
  const m: OpenApiFetchMiddleware = fetchMiddleware(options)
  const api = new fe.SignedApi(new fe.Configuration({ middleware: [m, openapi.fetchMiddleware({ clientCredentials: cc })] }))
  const echo: fe.SignedEcho = await api.postSignedEcho({ echoNote: { note: 'café' } })
  const inst: ax.SignedApi = new ax.SignedApi(undefined, undefined, openapi.attachAxios(axios.create({ baseURL: 'https://api.mastercard.com' }), options))
  const r = await inst.getSignedEcho()
  console.log(echo.ok, r.data.consumer_key)
}
