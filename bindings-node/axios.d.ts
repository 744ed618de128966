// Type declarations of `finauth/axios`.
import type { AxiosInstance } from 'axios'
import type { PartnerAuth, OAuth1Signer } from './index.js'

/**
 * Give every request of `axios` (an instance or the default export) the Finicity headers; on a
 * 401 (or 500) whose body carries code 10022 or 10023, invalidate the token and resend the request
 * once. Returns a function that removes both interceptors.
 */
export declare function attachFinicityAuth(axios: AxiosInstance, auth: PartnerAuth): () => void

/**
 * Sign every request of `axios` with Mastercard OAuth 1.0a (asynchronously, off the event loop),
 * over the exact body bytes sent (objects are serialised as JSON first). Returns a function that
 * removes the interceptor.
 */
export declare function attachOAuth1Signer(axios: AxiosInstance, signer: OAuth1Signer): () => void

declare const finauthAxios: {
  attachFinicityAuth: typeof attachFinicityAuth
  attachOAuth1Signer: typeof attachOAuth1Signer
}
export default finauthAxios
