// ES module entry of `finauth/axios`.
import m from './axios.js'

export const { attachFinicityAuth, attachOAuth1Signer, attachClientCredentials, attachMastercardAuth } = m
export default m
