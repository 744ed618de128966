// An independent OAuth 2.0 authorization server for finauth's interoperability tests: the
// oidc-provider package, unmodified, mounted under issuers with a path on 127.0.0.1, plus a
// DPoP-checking protected resource and counters at /__stats. Test-only: every secret and key
// here is public.
//
//   node server.mjs            prints one JSON line on stdout when ready, stops on SIGTERM
//
// Realms (issuer http://127.0.0.1:PORT/realms/NAME):
//   acme    client_secret_basic, client_secret_post, private_key_jwt (PS256, ES256); DPoP ES256, PS256
//   nonce   as acme, but DPoP proofs need a server nonce (features.dPoP.requireNonce)
//   strict  client_secret_basic and private_key_jwt with ES256 only; DPoP ES256 only
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { calculateJwkThumbprint, decodeJwt, EmbeddedJWK, jwtVerify } from 'jose';
import Provider from 'oidc-provider';

// oidc-provider prints notices with console.info (stdout); stdout carries only the ready line.
console.info = (...args) => console.error(...args);
console.log = (...args) => console.error(...args);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const KEYS = path.resolve(HERE, '..', '..', 'core', 'tests', 'oauth1-keys');
export const ODD_SECRET = 's3cr+t/with=odd&chars%25';

function publicJwk(file, kid, alg) {
  const pem = readFileSync(path.join(KEYS, file), 'utf8');
  return { ...crypto.createPublicKey(pem).export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

const RSA_JWK = publicJwk('pkcs8.pem', 'rsa-1', 'PS256');
const EC_JWK = publicJwk('ec.pem', 'ec-1', 'ES256');

function client(clientId, method, extra = {}) {
  return {
    client_id: clientId,
    token_endpoint_auth_method: method,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'api',
    // The provider signs ID tokens with its one ES256 key (never used here: no ID tokens).
    id_token_signed_response_alg: 'ES256',
    ...extra,
  };
}

const SECRET_CLIENTS = [
  client('basic-client', 'client_secret_basic', { client_secret: ODD_SECRET }),
  client('post-client', 'client_secret_post', { client_secret: ODD_SECRET }),
  client('guard-client', 'client_secret_basic', { client_secret: 'right-secret' }),
  client('fleet-client', 'client_secret_basic', { client_secret: 'fleet-secret' }),
  client('nonce-client', 'client_secret_basic', { client_secret: 'nonce-secret' }),
];
const RSA_CLIENT = client('rsa-client', 'private_key_jwt', { token_endpoint_auth_signing_alg: 'PS256', jwks: { keys: [RSA_JWK] } });
const EC_CLIENT = client('ec-client', 'private_key_jwt', { token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [EC_JWK] } });

const REALMS = {
  acme: {
    clients: [...SECRET_CLIENTS, RSA_CLIENT, EC_CLIENT],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    clientAuthSigningAlgValues: ['PS256', 'ES256'],
    dPoPSigningAlgValues: ['ES256', 'PS256'],
    requireNonce: false,
  },
  nonce: {
    clients: [...SECRET_CLIENTS, RSA_CLIENT, EC_CLIENT],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    clientAuthSigningAlgValues: ['PS256', 'ES256'],
    dPoPSigningAlgValues: ['ES256', 'PS256'],
    requireNonce: true,
  },
  strict: {
    clients: [client('strict-client', 'client_secret_basic', { client_secret: 'strict-secret' }), EC_CLIENT],
    clientAuthMethods: ['client_secret_basic', 'private_key_jwt'],
    clientAuthSigningAlgValues: ['ES256'],
    dPoPSigningAlgValues: ['ES256'],
    requireNonce: false,
  },
};

// ---- counters ------------------------------------------------------------------------------

function emptyStats() {
  return { clients: {}, metadata_requests: {}, resource_ok: 0, resource_rejected: 0, nonce_challenges: 0, resource_nonce_challenges: 0 };
}
let stats = emptyStats();

function clientStats(id) {
  stats.clients[id] ??= { token_requests: 0, tokens_issued: 0, invalid_client: 0, nonce_challenges: 0, other_errors: 0, resource_ok: 0, resource_rejected: 0 };
  return stats.clients[id];
}

/** The client a token request names: Basic header, client_id field, or the assertion's iss (unverified). */
function namedClient(ctx) {
  const auth = ctx.get('authorization');
  if (/^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  }
  const body = ctx.oidc?.body ?? {};
  if (typeof body.client_id === 'string') return body.client_id;
  if (typeof body.client_assertion === 'string') {
    try {
      const { iss } = decodeJwt(body.client_assertion);
      if (typeof iss === 'string') return iss;
    } catch {
      // not a JWT: counted under "(unknown)"
    }
  }
  return '(unknown)';
}

/** koa middleware (runs around every provider route): counts token endpoint outcomes. */
async function countTokenRequests(ctx, next) {
  await next();
  if (ctx.method !== 'POST' || ctx.path !== '/token') return;
  const s = clientStats(namedClient(ctx));
  s.token_requests += 1;
  const error = ctx.body && typeof ctx.body === 'object' ? ctx.body.error : undefined;
  if (ctx.status === 200 && ctx.body?.access_token) s.tokens_issued += 1;
  else if (error === 'invalid_client') s.invalid_client += 1;
  else if (error === 'use_dpop_nonce') {
    s.nonce_challenges += 1;
    stats.nonce_challenges += 1;
  } else s.other_errors += 1;
}

// ---- the providers ---------------------------------------------------------------------------

function makeProvider(origin, name, realm) {
  const signing = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(`${origin}/realms/${name}`, {
    clients: realm.clients,
    clientAuthMethods: realm.clientAuthMethods,
    enabledJWA: {
      clientAuthSigningAlgValues: realm.clientAuthSigningAlgValues,
      dPoPSigningAlgValues: realm.dPoPSigningAlgValues,
    },
    jwks: { keys: [{ ...signing, kid: `${name}-sig`, alg: 'ES256', use: 'sig' }] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    scopes: ['api'],
    ttl: { ClientCredentials: 3600 },
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      devInteractions: { enabled: false },
      dPoP: realm.requireNonce
        ? { enabled: true, nonceSecret: crypto.randomBytes(32), requireNonce: () => true }
        : { enabled: true },
    },
  });
  provider.use(countTokenRequests);
  return provider;
}

// ---- the protected resource ------------------------------------------------------------------

const seenJti = new Map(); // jti -> expiry (ms)
const resourceNonces = new Set();

function freshJti(jti) {
  const now = Date.now();
  for (const [k, exp] of seenJti) if (exp < now) seenJti.delete(k);
  if (typeof jti !== 'string' || !jti || seenJti.has(jti)) return false;
  seenJti.set(jti, now + 5 * 60_000);
  return true;
}

class Rejection extends Error {
  constructor(error, description, nonce) {
    super(description);
    this.error = error;
    this.nonce = nonce;
  }
}

/** Checks a DPoP-bound (or plain Bearer) request; returns the token's client and key thumbprint. */
async function checkResourceRequest(provider, req, requireNonce) {
  const auth = req.headers.authorization ?? '';
  const match = /^(DPoP|Bearer) +([A-Za-z0-9\-._~+/]+=*)$/i.exec(auth);
  if (!match) throw new Rejection('invalid_token', 'no access token');
  const scheme = match[1].toLowerCase();
  const accessToken = match[2];
  const token = await provider.ClientCredentials.find(accessToken);
  if (!token || token.isExpired) throw new Rejection('invalid_token', 'unknown or expired token');
  if (scheme === 'bearer') {
    if (token.jkt) throw new Rejection('invalid_token', 'a DPoP-bound token sent as Bearer');
    return { client_id: token.clientId, jkt: null };
  }
  if (!token.jkt) throw new Rejection('invalid_token', 'the token is not DPoP-bound');
  const proof = req.headers.dpop;
  if (typeof proof !== 'string' || !proof) throw new Rejection('invalid_dpop_proof', 'no DPoP proof');
  let payload;
  let protectedHeader;
  try {
    ({ payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256', 'PS256'] }));
  } catch {
    throw new Rejection('invalid_dpop_proof', 'the proof does not verify');
  }
  const htu = `http://${req.headers.host}${new URL(req.url, 'http://x').pathname}`;
  const ath = crypto.createHash('sha256').update(accessToken).digest('base64url');
  const jkt = await calculateJwkThumbprint(protectedHeader.jwk, 'sha256');
  if (payload.htm !== req.method) throw new Rejection('invalid_dpop_proof', 'htm mismatch');
  if (typeof payload.htu !== 'string' || payload.htu.replace(/[?#].*$/, '') !== htu) throw new Rejection('invalid_dpop_proof', 'htu mismatch');
  if (payload.ath !== ath) throw new Rejection('invalid_dpop_proof', 'ath mismatch');
  if (jkt !== token.jkt) throw new Rejection('invalid_token', 'the proof key is not the key the token is bound to');
  if (typeof payload.iat !== 'number' || Math.abs(payload.iat - Date.now() / 1000) > 60) throw new Rejection('invalid_dpop_proof', 'iat too far from now');
  if (requireNonce && !resourceNonces.has(payload.nonce)) {
    const nonce = crypto.randomBytes(16).toString('base64url');
    resourceNonces.add(nonce);
    throw new Rejection('use_dpop_nonce', 'a server nonce is required', nonce);
  }
  if (!freshJti(payload.jti)) throw new Rejection('invalid_dpop_proof', 'jti replayed');
  return { client_id: token.clientId, jkt };
}

async function resource(provider, req, res, requireNonce) {
  if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
  for await (const chunk of req) void chunk; // drain any body
  try {
    const ok = await checkResourceRequest(provider, req, requireNonce);
    stats.resource_ok += 1;
    clientStats(ok.client_id).resource_ok += 1;
    return send(res, 200, { ok: true, ...ok, method: req.method });
  } catch (e) {
    if (!(e instanceof Rejection)) throw e;
    const headers = { 'www-authenticate': `DPoP error="${e.error}", algs="ES256 PS256"` };
    if (e.nonce) {
      headers['dpop-nonce'] = e.nonce;
      stats.resource_nonce_challenges += 1;
    } else {
      stats.resource_rejected += 1;
    }
    return send(res, 401, { error: e.error, error_description: e.message }, headers);
  }
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

// ---- the dispatcher --------------------------------------------------------------------------

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const origin = `http://127.0.0.1:${port}`;
const providers = Object.fromEntries(Object.entries(REALMS).map(([name, realm]) => [name, makeProvider(origin, name, realm)]));
const callbacks = Object.fromEntries(Object.entries(providers).map(([name, p]) => [name, p.callback()]));

server.on('request', async (req, res) => {
  try {
    const { pathname } = new URL(req.url, origin);
    if (req.method === 'GET' && pathname.includes('/.well-known/')) {
      stats.metadata_requests[pathname] = (stats.metadata_requests[pathname] ?? 0) + 1;
    }
    if (pathname === '/__stats' && req.method === 'GET') return send(res, 200, stats);
    if (pathname === '/__stats/reset' && req.method === 'POST') {
      stats = emptyStats();
      return send(res, 200, stats);
    }
    if (pathname === '/api/resource') return await resource(providers.acme, req, res, false);
    if (pathname === '/api/nonce/resource') return await resource(providers.nonce, req, res, true);
    const realm = /^\/realms\/([a-z]+)(\/.*)?$/.exec(pathname);
    if (realm && callbacks[realm[1]]) {
      // Mounting: oidc-provider finds its mount path from req.originalUrl minus req.url.
      req.originalUrl = req.url;
      req.url = req.url.slice(`/realms/${realm[1]}`.length) || '/';
      return callbacks[realm[1]](req, res);
    }
    return send(res, 404, { error: 'not_found' });
  } catch (e) {
    console.error(`interop server: ${e?.name}: ${e?.message}`);
    if (!res.headersSent) send(res, 500, { error: 'server_error' });
  }
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

process.stdout.write(`${JSON.stringify({
  issuer: `${origin}/realms/acme`,
  nonce_issuer: `${origin}/realms/nonce`,
  strict_issuer: `${origin}/realms/strict`,
  port,
  resource: `${origin}/api/resource`,
  nonce_resource: `${origin}/api/nonce/resource`,
  stats: `${origin}/__stats`,
})}\n`);
