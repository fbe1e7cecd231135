// Load generator of the OIDC side-by-side benchmark (docs/benchmarks.md). The same script, with the same
// settings, drives Koder ID and oidc-provider; everything it needs is read from the issuer's discovery document.
//
//   node load.mjs --issuer http://127.0.0.1:5000 --scenario cc|introspect|jwks|refresh|login
//                 [--connections 50] [--seconds 10] [--warmup 3] [--cc-client id:secret] [--cc-scope api:read]
//                 [--code-client id:secret] [--redirect-uri uri] [--username u] [--password p]
//                 [--introspect access|refresh]
//
// cc, introspect and jwks run on autocannon (one request shape repeated). refresh and login are multi-step, so
// they run as N concurrent loops over an undici pool of N connections: a refresh loop keeps its own current
// refresh token (they rotate); a login is authorize -> login page -> POST credentials with the page's cookies
// and hidden fields -> follow redirects -> code -> token, with a fresh cookie jar each time (no SSO shortcut).
// Prints one line "RESULT {json}" with requests/s, p50/p99 latency in ms and the failures.
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'undici';

const { values: opts } = parseArgs({
  options: {
    issuer: { type: 'string' },
    scenario: { type: 'string' },
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'cc-client': { type: 'string', default: 'bench-cc:bench-cc-secret-0123456789abcdef0123456789abcdef' },
    'cc-scope': { type: 'string', default: 'api:read' },
    'code-client': { type: 'string', default: 'bench-web:bench-web-secret-0123456789abcdef0123456789abcdef' },
    'redirect-uri': { type: 'string', default: 'https://rp.bench.example/callback' },
    scope: { type: 'string', default: 'openid offline_access' },
    username: { type: 'string', default: 'bench-user' },
    password: { type: 'string', default: 'Bench-oidc-pass-7319-kestrel' },
    introspect: { type: 'string', default: 'access' },
  },
});

const connections = Number(opts.connections);
const seconds = Number(opts.seconds);
const warmup = Number(opts.warmup);
const basic = (pair) => {
  const [id, secret] = pair.split(':');
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
};
const ccAuth = basic(opts['cc-client']);
const webAuth = basic(opts['code-client']);
const webClientId = opts['code-client'].split(':')[0];
const form = 'application/x-www-form-urlencoded';

const origin = new URL(opts.issuer).origin;
const pool = new Pool(origin, { connections: Math.max(connections, 2), pipelining: 1, keepAliveTimeout: 60_000 });
const metadata = await get(`${opts.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`).then((r) => JSON.parse(r.text));
const endpoints = {
  token: new URL(metadata.token_endpoint),
  introspect: new URL(metadata.introspection_endpoint),
  jwks: new URL(metadata.jwks_uri),
  authorize: new URL(metadata.authorization_endpoint),
};
for (const url of Object.values(endpoints)) {
  if (url.origin !== origin) {
    throw new Error(`${url} is not on ${origin}`);
  }
}

async function request(url, { method = 'GET', headers = {}, body } = {}) {
  const u = typeof url === 'string' ? new URL(url) : url;
  const response = await pool.request({ path: u.pathname + u.search, method, headers, body });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

async function get(url, headers) {
  return request(url, { headers });
}

function postForm(url, fields, authorization, cookies) {
  const headers = { 'content-type': form };
  if (authorization) headers.authorization = authorization;
  if (cookies) headers.cookie = cookies;
  return request(url, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
}

function fail(step, response) {
  return new Error(`${step}: HTTP ${response.status} ${response.text.slice(0, 300)}`);
}

/** A cookie jar for one login: name -> { value, path }; honours Path and deletion, ignores Domain (one host). */
class Jar {
  #cookies = new Map();

  take(headers) {
    let setCookie = headers['set-cookie'];
    if (!setCookie) return;
    if (!Array.isArray(setCookie)) setCookie = [setCookie];
    for (const line of setCookie) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key, val = ''] = attribute.split('=');
        const k = key.trim().toLowerCase();
        if (k === 'path') path = val.trim() || '/';
        else if (k === 'max-age' && Number(val) <= 0) expired = true;
        else if (k === 'expires' && Date.parse(attribute.slice(attribute.indexOf('=') + 1)) < Date.now()) expired = true;
      }
      const key = `${name}\n${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  header(url) {
    const path = url.pathname;
    const out = [];
    for (const c of this.#cookies.values()) {
      if (path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)) out.push(`${c.name}=${c.value}`);
    }
    return out.length ? out.join('; ') : undefined;
  }
}

const decodeEntities = (s) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16)))
  .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attr = (tag, name) => {
  const m = tag.match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i'));
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3]) : undefined;
};

/** The login form of a page: its action and every input with a value (the hidden ones: CSRF, request id). */
function parseLoginForm(html, pageUrl) {
  const formTag = html.match(/<form\b[^>]*>/i);
  if (!formTag) throw new Error(`login page without a form: ${html.slice(0, 200)}`);
  const action = new URL(attr(formTag[0], 'action') ?? pageUrl.href, pageUrl);
  const fields = {};
  const body = html.slice(formTag.index, html.indexOf('</form>', formTag.index));
  for (const input of body.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    if (name && (attr(input, 'type') ?? 'text').toLowerCase() === 'hidden') fields[name] = attr(input, 'value') ?? '';
  }
  return { action, fields };
}

/** One complete authorization-code login with PKCE; returns the token response. */
async function login() {
  const jar = new Jar();
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(endpoints.authorize);
  authorize.search = new URLSearchParams({
    client_id: webClientId,
    redirect_uri: opts['redirect-uri'],
    response_type: 'code',
    scope: opts.scope,
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  // Follows same-origin redirects with the jar until a page answers 200 or the redirect leaves for the client.
  const follow = async (response, url) => {
    for (let hops = 0; ; hops++) {
      jar.take(response.headers);
      if (response.status === 200) return { page: response, url };
      if (![301, 302, 303, 307].includes(response.status) || hops > 10) throw fail(`following ${url.pathname}`, response);
      const next = new URL(response.headers.location, url);
      if (next.origin !== origin) return { redirect: next };
      url = next;
      response = await get(url, jar.header(url) ? { cookie: jar.header(url) } : {});
    }
  };

  const first = await follow(await get(authorize), authorize);
  if (!first.page) throw new Error(`authorize redirected to the client without a login: ${first.redirect}`);
  const { action, fields } = parseLoginForm(first.page.text, first.url);
  const posted = await postForm(action, { ...fields, username: opts.username, password: opts.password }, undefined, jar.header(action));
  const done = await follow(posted, action);
  if (!done.redirect) throw fail('login did not redirect to the client', done.page);
  const params = done.redirect.searchParams;
  if (params.get('state') !== state || !params.get('code')) throw new Error(`bad callback ${done.redirect}`);
  const token = await postForm(endpoints.token, {
    grant_type: 'authorization_code',
    code: params.get('code'),
    redirect_uri: opts['redirect-uri'],
    code_verifier: verifier,
  }, webAuth);
  if (token.status !== 200) throw fail('code redemption', token);
  return JSON.parse(token.text);
}

async function refresh(refreshToken) {
  const response = await postForm(endpoints.token, { grant_type: 'refresh_token', refresh_token: refreshToken }, webAuth);
  if (response.status !== 200) throw fail('refresh', response);
  const body = JSON.parse(response.text);
  if (!body.refresh_token) throw new Error('refresh answered without a new refresh token');
  return body.refresh_token;
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] : 0);

/** N loops for `ms`; each iteration is one measured operation. */
async function loops(n, ms, iteration, states) {
  const latencies = [];
  const failures = [];
  const started = performance.now();
  const end = started + ms;
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await iteration(states, i);
        latencies.push(performance.now() - t);
      } catch (error) {
        failures.push(String(error.message ?? error));
        if (failures.length > 1000) throw new Error(`too many failures: ${failures[0]}`);
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { ok: latencies.length, elapsed, latencies, failures };
}

function decodeJwtHeader(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return 'opaque';
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
  return `JWT ${header.alg} ${header.typ ?? ''}`.trim();
}

async function cannon(title, request) {
  // autocannon's own histogram has 1 ms resolution; its per-response event carries the float duration.
  const run = (duration, latencies, statuses) => new Promise((resolve, reject) => {
    const instance = autocannon({ url: `${origin}${request.path}`, connections, duration, method: request.method, headers: request.headers, body: request.body },
      (error, result) => (error ? reject(error) : resolve(result)));
    instance.on('response', (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) latencies?.push(ms);
      else if (statuses) statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
  if (warmup > 0) await run(warmup);
  const latencies = [];
  const statuses = {};
  const r = await run(seconds, latencies, statuses);
  latencies.sort((a, b) => a - b);
  return {
    requests: r['2xx'],
    rps: r['2xx'] / r.duration,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    seconds: r.duration,
    title,
    ...(r.non2xx ? { firstFailure: `statuses ${JSON.stringify(statuses)}` } : {}),
  };
}

async function scenario() {
  switch (opts.scenario) {
    case 'cc': {
      const body = new URLSearchParams({ grant_type: 'client_credentials', ...(opts['cc-scope'] ? { scope: opts['cc-scope'] } : {}) }).toString();
      const probe = await postForm(endpoints.token, Object.fromEntries(new URLSearchParams(body)), ccAuth);
      if (probe.status !== 200) throw fail('client_credentials probe', probe);
      const note = `access token: ${decodeJwtHeader(JSON.parse(probe.text).access_token)}`;
      return { ...await cannon('client_credentials', { method: 'POST', path: endpoints.token.pathname, headers: { 'content-type': form, authorization: ccAuth }, body }), note };
    }
    case 'introspect': {
      const tokens = await login();
      const token = opts.introspect === 'refresh' ? tokens.refresh_token : tokens.access_token;
      const body = new URLSearchParams({ token, token_type_hint: opts.introspect === 'refresh' ? 'refresh_token' : 'access_token' }).toString();
      const probe = await postForm(endpoints.introspect, Object.fromEntries(new URLSearchParams(body)), webAuth);
      if (probe.status !== 200 || JSON.parse(probe.text).active !== true) throw fail('introspection probe (expected active: true)', probe);
      const note = `introspected: user ${opts.introspect} token (${opts.introspect === 'refresh' ? 'opaque' : decodeJwtHeader(token)}), active`;
      return { ...await cannon('introspection', { method: 'POST', path: endpoints.introspect.pathname, headers: { 'content-type': form, authorization: webAuth }, body }), note };
    }
    case 'jwks': {
      const probe = await get(endpoints.jwks);
      const keys = JSON.parse(probe.text).keys.map((k) => k.alg ?? k.kty).join(', ');
      return { ...await cannon('jwks', { method: 'GET', path: endpoints.jwks.pathname }), note: `keys: ${keys}` };
    }
    case 'refresh': {
      // Each loop starts from its own login; rotation means a loop always presents the token it got last.
      const states = [];
      for (let i = 0; i < connections; i++) states.push((await login()).refresh_token);
      const step = async (s, i) => { s[i] = await refresh(s[i]); };
      if (warmup > 0) await loops(connections, warmup * 1000, step, states);
      return { ...summarize(await loops(connections, seconds * 1000, step, states), 'refresh_token'), note: 'rotating; each connection chains its own tokens' };
    }
    case 'login': {
      const step = async () => { await login(); };
      if (warmup > 0) await loops(connections, warmup * 1000, step);
      return { ...summarize(await loops(connections, seconds * 1000, step), 'login'), note: 'authorize, login page, POST credentials, redirects, code, token' };
    }
    default:
      throw new Error(`unknown scenario ${opts.scenario}`);
  }
}

function summarize(run, title) {
  return {
    requests: run.ok,
    rps: run.ok / run.elapsed,
    p50: percentile(run.latencies, 0.5),
    p99: percentile(run.latencies, 0.99),
    non2xx: run.failures.length,
    errors: 0,
    seconds: run.elapsed,
    title,
    firstFailure: run.failures[0],
  };
}

try {
  const result = await scenario();
  console.log(`RESULT ${JSON.stringify({ scenario: opts.scenario, connections, ...result })}`);
} catch (error) {
  console.log(`RESULT ${JSON.stringify({ scenario: opts.scenario, connections, failed: String(error.message ?? error) })}`);
  process.exitCode = 1;
} finally {
  await pool.close();
}
