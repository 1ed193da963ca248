// A small chatbot that links each chat user to a third-party account with panva's openid-client
// (v6), written the way its README shows: the provider's metadata read once at start with
// `discovery()`, an authorization URL from `buildAuthorizationUrl` with a verifier from
// `randomPKCECodeVerifier` (S256, `calculatePKCECodeChallenge`) and a state from `randomState`,
// the callback handed whole to `authorizationCodeGrant` with that flow's verifier and state, the
// token sent to the API by `fetchProtectedResource` and renewed with `refreshTokenGrant`. No
// `allowInsecureRequests`: every URL the library fetches must be https, and a test CA is trusted
// through NODE_EXTRA_CA_CERTS.
//
// Routes (`sid` is the chat user's id):
//
// - `POST /chat` `{"session": sid, "text": "link"}`: a message with a "Link your account" button
//   to `/link?session=sid`; `"text": "status"`: "Your account is linked" or "Your account is not
//   linked" after asking the API.
// - `GET /link?session=sid`: starts a flow in the browser's session (the `chatbot_session`
//   cookie, set here when absent) and redirects to the authorization endpoint.
// - `GET /callback` (the redirect URI's path): the flow is found by `state` in the browser's
//   session and taken out of it; the code is exchanged and the token stored for the chat user who
//   started the flow.
// - `GET /health`: `ok`.
//
// Configured through the environment (see README.md). Listens on CHATBOT_LISTEN (port 0 picks a
// free one) and prints its base URL on stdout once it accepts connections; if the metadata
// cannot be read it exits with status 1 before listening.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import * as client from 'openid-client';

const COOKIE = 'chatbot_session';
// A flow not finished within this time is forgotten.
const FLOW_TTL_MS = 600_000;
// At most this many flows in progress per browser; the oldest goes first.
const MAX_FLOWS_PER_BROWSER = 16;
// At most this many browsers with flows in progress; the least recently used goes first.
const MAX_BROWSERS = 10_000;
// A chat turn's body is read up to this size.
const MAX_BODY = 64 * 1024;

function need(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`app.mjs: set ${name}`);
    process.exit(2);
  }
  return value;
}

const settings = (() => {
  const listen = process.env.CHATBOT_LISTEN || '127.0.0.1:0';
  const colon = listen.lastIndexOf(':');
  return {
    host: listen.slice(0, colon) || '127.0.0.1',
    port: Number(listen.slice(colon + 1)),
    baseUrl: process.env.CHATBOT_BASE_URL || null,
    issuer: need('OAUTH_ISSUER'),
    apiUrl: need('OAUTH_API_URL'),
    clientId: need('OAUTH_CLIENT_ID'),
    clientSecret: process.env.OAUTH_CLIENT_SECRET || null,
    authMethod: process.env.OAUTH_AUTH_METHOD || 'client_secret_basic',
    redirectUri: need('OAUTH_REDIRECT_URI'),
    scope: process.env.OAUTH_SCOPE || '',
    timeout: Number(process.env.OAUTH_TIMEOUT_SECS || '10'),
  };
})();

/** openid-client's client authentication for OAUTH_AUTH_METHOD. */
function clientAuthentication() {
  switch (settings.authMethod) {
    case 'client_secret_basic':
      return client.ClientSecretBasic(settings.clientSecret ?? undefined);
    case 'client_secret_post':
      return client.ClientSecretPost(settings.clientSecret ?? undefined);
    case 'none':
      return client.None();
    default:
      console.error(`app.mjs: OAUTH_AUTH_METHOD ${settings.authMethod} is not one of client_secret_basic, client_secret_post, none`);
      process.exit(2);
  }
}

/** An error in a log line: its OAuth error or openid-client's code, never a token or secret. */
function describe(error) {
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) {
    return `${error.name}: ${error.error}`;
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    return `${error.name}: ${error.status}`;
  }
  const cause = error?.cause?.code ? ` (${error.cause.code})` : '';
  return `${error?.name ?? 'Error'}: ${error?.code ?? error?.message ?? error}${cause}`;
}

function log(line) {
  console.error(`${new Date().toISOString()} ${line}`);
}

// --- state -------------------------------------------------------------------------------------

/** Browser sessions with their flows in progress: cookie value -> Map(state -> flow). */
const browsers = new Map();
/** Each chat user's token: sid -> { access_token, refresh_token, expires_at }. */
const tokens = new Map();
/** Each chat user's turn in progress: sid -> promise; one status turn per user at a time. */
const turns = new Map();

function startFlow(browser, state, flow) {
  const now = Date.now();
  const flows = browsers.get(browser) ?? new Map();
  browsers.delete(browser);
  browsers.set(browser, flows); // most recently used last
  for (const [old, f] of flows) {
    if (now - f.started > FLOW_TTL_MS) flows.delete(old);
  }
  while (flows.size >= MAX_FLOWS_PER_BROWSER) {
    flows.delete(flows.keys().next().value); // insertion order: the oldest first
  }
  flows.set(state, { ...flow, started: now });
  while (browsers.size > MAX_BROWSERS) {
    browsers.delete(browsers.keys().next().value);
  }
}

/** The browser's flow with this state, removed: a callback is good once. */
function takeFlow(browser, state) {
  const flows = browsers.get(browser);
  const flow = flows?.get(state);
  if (!flow) return null;
  flows.delete(state);
  if (flows.size === 0) browsers.delete(browser);
  return Date.now() - flow.started <= FLOW_TTL_MS ? flow : null;
}

function saveToken(user, response, previous) {
  const expiresIn = response.expiresIn();
  tokens.set(user, {
    access_token: response.access_token,
    // A refresh that returns no refresh token leaves the old one in use (RFC 6749 §6).
    refresh_token: response.refresh_token ?? previous?.refresh_token,
    expires_at: expiresIn === undefined ? null : Date.now() + expiresIn * 1000,
  });
}

/** Runs `work` after the user's previous turn has ended. */
function inTurn(user, work) {
  const previous = turns.get(user) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => {});
  turns.set(user, settled);
  settled.then(() => {
    if (turns.get(user) === settled) turns.delete(user);
  });
  return next;
}

// --- the flow ----------------------------------------------------------------------------------

async function link(req, res, config, user) {
  if (!user) {
    failed(res, 'no chat session');
    return;
  }
  const [browser, isNew] = browserOf(req);
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const parameters = {
    redirect_uri: settings.redirectUri,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
  };
  if (settings.scope) parameters.scope = settings.scope;
  const redirectTo = client.buildAuthorizationUrl(config, parameters);
  startFlow(browser, state, { user, codeVerifier });
  const headers = { Location: redirectTo.href, 'Cache-Control': 'no-store' };
  if (isNew) headers['Set-Cookie'] = `${COOKIE}=${browser}; Path=/; HttpOnly; SameSite=Lax`;
  reply(res, 302, '', 'text/plain', headers);
}

async function callback(req, res, config, url) {
  const [browser] = browserOf(req);
  const state = url.searchParams.get('state');
  const flow = state ? takeFlow(browser, state) : null;
  if (!flow) {
    failed(res, 'this link is unknown, expired or was opened in another browser');
    return;
  }
  // The callback as the provider sent it, at the redirect URI the flow used.
  const currentUrl = new URL(settings.redirectUri);
  currentUrl.search = url.search;
  let response;
  try {
    response = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: state,
    });
  } catch (error) {
    log(`linking failed: ${describe(error)}`);
    if (error instanceof client.AuthorizationResponseError) {
      failed(res, `the provider answered ${error.error}`);
    } else {
      failed(res, 'the provider did not give a token');
    }
    return;
  }
  saveToken(flow.user, response);
  reply(res, 200, page('Account linked', 'Account linked. You can return to the chat.'));
}

function failed(res, why) {
  reply(res, 400, page('Linking failed', `Linking failed: ${why}.`));
}

// --- using the token ---------------------------------------------------------------------------

const NOT_LINKED = 'Your account is not linked.';
const LINK_AGAIN = 'Your account is not linked: please link it again.';

async function status(config, user) {
  let token = tokens.get(user);
  if (!token) return NOT_LINKED;
  const refresh = async () => {
    const response = await client.refreshTokenGrant(config, token.refresh_token);
    saveToken(user, response, token);
    token = tokens.get(user);
  };
  const call = () =>
    client.fetchProtectedResource(config, token.access_token, new URL(settings.apiUrl), 'GET');
  const unauthorized = (error) =>
    error instanceof client.WWWAuthenticateChallengeError && error.status === 401;
  let response;
  try {
    if (token.expires_at !== null && Date.now() >= token.expires_at && token.refresh_token) {
      await refresh();
    }
    try {
      response = await call();
    } catch (error) {
      if (!unauthorized(error)) throw error;
      response = error.response;
    }
    if (response.status === 401 && token.refresh_token) {
      await refresh();
      try {
        response = await call();
      } catch (error) {
        if (!unauthorized(error)) throw error;
        response = error.response;
      }
    }
  } catch (error) {
    log(`the status turn failed: ${describe(error)}`);
    if (error instanceof client.ResponseBodyError || error instanceof client.WWWAuthenticateChallengeError) {
      tokens.delete(user);
      return LINK_AGAIN;
    }
    if (error instanceof client.ClientError && error.code && !['OAUTH_TIMEOUT', 'OAUTH_ABORT'].includes(error.code)) {
      // openid-client refused the provider's answer (e.g. a refresh response it does not accept).
      tokens.delete(user);
      return LINK_AGAIN;
    }
    return 'Your account is linked, but the service is not answering.';
  }
  if (response.status === 401) {
    tokens.delete(user);
    return LINK_AGAIN;
  }
  if (response.ok) return 'Your account is linked.';
  return `Your account is linked, but the service answered ${response.status}.`;
}

// --- plumbing ----------------------------------------------------------------------------------

function page(title, text) {
  const escape = (s) =>
    s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<title>${escape(title)}</title></head><body><p>${escape(text)}</p></body></html>`
  );
}

/** The browser's session id, and whether it is new. */
function browserOf(req) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) {
      const value = part.slice(eq + 1).trim();
      if (value) return [value, false];
    }
  }
  return [randomBytes(32).toString('base64url'), true];
}

function reply(res, status, body, contentType = 'text/html; charset=utf-8', headers = {}) {
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': bytes.length, ...headers });
  res.end(bytes);
}

function replyJson(res, status, value) {
  reply(res, status, JSON.stringify(value), 'application/json');
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function baseUrl(server) {
  if (settings.baseUrl) return settings.baseUrl;
  const { address, port } = server.address();
  return `http://${address}:${port}`;
}

async function chat(req, res, config, server) {
  let user;
  let text;
  try {
    const turn = JSON.parse((await readBody(req)) || '{}');
    user = turn.session;
    text = turn.text ?? '';
  } catch {
    replyJson(res, 400, { error: 'a chat turn is {"session": ID, "text": TEXT}' });
    return;
  }
  if (typeof user !== 'string' || !user) {
    replyJson(res, 400, { error: 'session must be a non-empty string' });
  } else if (text === 'link') {
    const url = `${baseUrl(server)}/link?${new URLSearchParams({ session: user })}`;
    replyJson(res, 200, { messages: [{ text: 'Link your account', url }] });
  } else if (text === 'status') {
    const answer = await inTurn(user, () => status(config, user));
    replyJson(res, 200, { messages: [{ text: answer }] });
  } else {
    replyJson(res, 200, { messages: [{ text: 'Say "link" or "status".' }] });
  }
}

async function main() {
  let config;
  try {
    // The metadata (RFC 8414) at the issuer's well-known URL; the issuer it names must be this.
    config = await client.discovery(
      new URL(settings.issuer),
      settings.clientId,
      undefined,
      clientAuthentication(),
      { algorithm: 'oauth2', timeout: settings.timeout },
    );
  } catch (error) {
    console.error(`app.mjs: the provider's metadata could not be read: ${describe(error)}`);
    process.exit(1);
  }
  const callbackPath = new URL(settings.redirectUri).pathname;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://chatbot.invalid');
    const started = Date.now();
    // The path without its query: a callback's code and state stay out of the log.
    res.on('finish', () => log(`"${req.method} ${url.pathname}" ${res.statusCode} ${Date.now() - started}ms`));
    let handled;
    if (req.method === 'GET' && url.pathname === '/health') {
      handled = Promise.resolve(reply(res, 200, 'ok', 'text/plain'));
    } else if (req.method === 'GET' && url.pathname === '/link') {
      handled = link(req, res, config, url.searchParams.get('session'));
    } else if (req.method === 'GET' && url.pathname === callbackPath) {
      handled = callback(req, res, config, url);
    } else if (req.method === 'POST' && url.pathname === '/chat') {
      handled = chat(req, res, config, server);
    } else {
      handled = Promise.resolve(reply(res, 404, page('Not found', 'Not found')));
    }
    handled.catch((error) => {
      log(`${url.pathname} failed: ${describe(error)}`);
      if (!res.headersSent) reply(res, 500, page('Error', 'Something went wrong.'));
      else res.destroy();
    });
  });
  server.listen(settings.port, settings.host, () => {
    const { address, port } = server.address();
    console.log(`http://${address}:${port}`);
    console.log(`pid ${process.pid}`);
  });
}

await main();
