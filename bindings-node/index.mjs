// ES module entry: the same objects as the CommonJS entry (`index.js`).
import finauth from './index.js'

export const {
  PartnerAuth,
  ClientCredentials,
  OAuth1Signer,
  SigningKey,
  loadPkcs12,
  loadPem,
  signatureBaseString,
  bodyHash,
  MemoryStore,
  FileStore,
  RedisStore,
  rejectsToken,
  finicityCode,
  Exchange,
  version,
  FinauthError,
  ConfigError,
  InvalidCredentialsError,
  AccountLockedError,
  LockoutGuardError,
  RateLimitedError,
  UnauthorizedError,
  ServerError,
  TransportError,
  TimeoutError,
  StoreError,
  SigningKeyError,
} = finauth
export default finauth
