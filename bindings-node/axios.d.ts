// Type declarations of `finauth/axios`.
import type { AxiosInstance } from 'axios'
import type { PartnerAuth } from './index.js'

/**
 * Give every request of `axios` (an instance or the default export) the Finicity headers; on a
 * 401 (or 500) whose body carries code 10022 or 10023, invalidate the token and resend the request
 * once. Returns a function that removes both interceptors.
 */
export declare function attachFinicityAuth(axios: AxiosInstance, auth: PartnerAuth): () => void

declare const finauthAxios: { attachFinicityAuth: typeof attachFinicityAuth }
export default finauthAxios
