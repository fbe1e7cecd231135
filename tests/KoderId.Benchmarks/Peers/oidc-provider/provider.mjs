// The oidc-provider peer of the Koder ID OIDC benchmark (docs/benchmarks.md, "OIDC side by side").
//
//   node provider.mjs --port 4000 [--cc-client id:secret] [--code-client id:secret] [--redirect-uri uri]
//                     [--username u] [--password p]
//
// Configured like Koder ID's defaults: one confidential client_credentials client (client_secret_basic), one
// confidential code-flow client (PKCE S256 required, refresh tokens rotated on every use), JWT access tokens
// signed ES256 for a default resource, ID tokens RS256, introspection on, and a minimal first-party login
// interaction (no devInteractions) that checks the password with Argon2id at Koder ID's default cost
// (m=19456 KiB, t=2, p=1: PasswordHashingPolicy.Default) and consents automatically. One user. Storage is
// oidc-provider's in-memory adapter (its default), in this one Node.js process.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes, createHmac, timingSafeEqual } from 'node:crypto';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import Provider from 'oidc-provider';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '4000' },
    'cc-client': { type: 'string', default: 'bench-cc:bench-cc-secret-0123456789abcdef0123456789abcdef' },
    'code-client': { type: 'string', default: 'bench-web:bench-web-secret-0123456789abcdef0123456789abcdef' },
    'redirect-uri': { type: 'string', default: 'https://rp.bench.example/callback' },
    username: { type: 'string', default: 'bench-user' },
    password: { type: 'string', default: 'Bench-oidc-pass-7319-kestrel' },
  },
});

const port = Number(opts.port);
const issuer = `http://127.0.0.1:${port}`;
const resource = 'https://api.bench.example';
const [ccId, ccSecret] = opts['cc-client'].split(':');
const [webId, webSecret] = opts['code-client'].split(':');

// Argon2id at PasswordHashingPolicy.Default: 19 MiB, 2 passes, 1 lane, 16-byte salt, 32-byte tag.
const argon2Options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1, hashLength: 32 };
const accountId = 'bench-user-1';
const users = new Map([[opts.username, { accountId, hash: await argon2.hash(opts.password, argon2Options) }]]);

const jwk = (alg, pair) => ({ ...pair.privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}` });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: ccId,
      client_secret: ccSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api:read',
    },
    {
      client_id: webId,
      client_secret: webSecret,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [opts['redirect-uri']],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [jwk('RS256', rsa), jwk('ES256', ec)] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  pkce: { required: () => true },
  scopes: ['openid', 'offline_access', 'api:read'],
  rotateRefreshToken: true,
  // Koder ID issues a refresh token to every login of a client allowed the grant and ties it to its own family,
  // not to the SSO session; oidc-provider's default needs offline_access, which it drops unless prompt=consent.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  ttl: { AccessToken: 900, ClientCredentials: 900, IdToken: 3600, AuthorizationCode: 60, RefreshToken: 30 * 24 * 3600, Interaction: 3600, Session: 14 * 24 * 3600, Grant: 30 * 24 * 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => resource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: 'api:read',
        audience: resource,
        accessTokenTTL: 900,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  // First-party clients: consent is implied, so a grant covering what was asked is created on the spot.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    if (!ctx.oidc.session.accountId) {
      return undefined;
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid offline_access');
    grant.addResourceScope(resource, 'api:read');
    await grant.save();
    return grant;
  },
  findAccount: async (_ctx, sub) => (sub === accountId ? { accountId: sub, claims: async () => ({ sub }) } : undefined),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><title>error</title><pre>${escape(JSON.stringify(out))}</pre>`;
  },
});
provider.on('server_error', (_ctx, error) => console.error('server_error', error));

// Double-submit CSRF like ASP.NET Core antiforgery: a random token in a cookie, its HMAC in the form.
const csrfKey = randomBytes(32);
const csrfMac = (token) => createHmac('sha256', csrfKey).update(token).digest('base64url');

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cookie(req, name) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16_384) {
      throw new Error('form too large');
    }
  }
  return new URLSearchParams(body);
}

function loginPage(res, uid, error) {
  const token = randomBytes(32).toString('base64url');
  res.statusCode = error ? 400 : 200;
  res.setHeader('Set-Cookie', `peer_csrf=${token}; Path=/interaction; HttpOnly; SameSite=Strict`);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body>
<h1>Sign in</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<input type="hidden" name="__csrf" value="${csrfMac(token)}">
<label for="username">Username or email</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></body></html>`);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    // Consent is implied for these first-party clients (loadExistingGrant); nothing else is expected.
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: `unexpected prompt ${details.prompt.name}` }, { mergeWithLastSubmission: false });
  }
  if (req.method === 'GET') {
    return loginPage(res, details.uid);
  }
  const form = await readForm(req);
  const csrfCookie = cookie(req, 'peer_csrf');
  const sent = Buffer.from(form.get('__csrf') ?? '');
  const expected = csrfCookie ? Buffer.from(csrfMac(csrfCookie)) : Buffer.alloc(0);
  if (expected.length === 0 || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    res.statusCode = 400;
    return res.end('invalid csrf token');
  }
  const user = users.get(form.get('username') ?? '');
  // An unknown user still costs one hash, as in Koder ID, so timing does not tell who exists.
  const ok = user ? await argon2.verify(user.hash, form.get('password') ?? '') : (await argon2.hash(form.get('password') ?? '', argon2Options), false);
  if (!ok) {
    return loginPage(res, details.uid, 'The username or password is incorrect.');
  }
  return provider.interactionFinished(req, res, { login: { accountId: user.accountId, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      console.error('interaction error', error);
      if (!res.headersSent) {
        res.statusCode = error.statusCode ?? 500;
      }
      res.end();
    });
    return;
  }
  callback(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`oidc-provider ${issuer} ready`));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
