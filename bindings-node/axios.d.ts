// Type declarations of `finauth/axios`.
import type { AxiosInstance } from 'axios'
import type { PartnerAuth, OAuth1Signer, ClientCredentials, MastercardAuth } from './index.js'

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

/**
 * Give every request of `axios` OAuth 2.0 `Authorization` (and a fresh DPoP proof); one retry per
 * `use_dpop_nonce` challenge and one, after invalidating the token, per other 401.
 */
export declare function attachClientCredentials(axios: AxiosInstance, cc: ClientCredentials): () => void

/**
 * Mastercard signing and payload encryption on every request of `axios`: the body is encrypted,
 * then signed over the exact bytes sent; `response.data` is the decrypted answer (parsed as JSON
 * unless another `responseType` was asked). Returns a function that removes both interceptors.
 */
export declare function attachMastercardAuth(axios: AxiosInstance, auth: MastercardAuth): () => void

declare const finauthAxios: {
  attachFinicityAuth: typeof attachFinicityAuth
  attachOAuth1Signer: typeof attachOAuth1Signer
  attachClientCredentials: typeof attachClientCredentials
  attachMastercardAuth: typeof attachMastercardAuth
}
export default finauthAxios
