// ES module entry of `finauth/axios`.
import m from './axios.js'

export const { attachFinicityAuth } = m
export default m
