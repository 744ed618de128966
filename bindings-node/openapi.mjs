// ES module entry of `finauth/openapi`.
import m from './openapi.js'

export const { attachAxios, detachAxios, fetchMiddleware } = m
export default m
