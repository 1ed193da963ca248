// A small chatbot that links each chat user to an OAuth-protected MCP server with the official MCP
// TypeScript SDK (@modelcontextprotocol/sdk), used the way its docs and examples show: an
// `OAuthClientProvider` handed to the SDK's `auth()` to start and finish the authorization, and to
// `StreamableHTTPClientTransport` + `Client` to call the server's tools. The SDK does the OAuth:
// RFC 9728 and RFC 8414 discovery, PKCE, `resource`, the token requests and refreshing. The
// chatbot only keeps what the provider is asked to keep (tokens per chat user, a verifier per
// flow) and binds each flow to the browser that started it.
//
// Routes (`sid` is the chat user's id):
//
// - `GET /link?session=sid`: `auth(provider, { serverUrl })`; the URL the SDK hands to
//   `redirectToAuthorization` is answered with a 302, the flow kept under the `state` the
//   provider made, with the browser's cookie (`chatbot_session`, set here when absent).
// - `GET /callback` (the redirect URI's path): the flow is taken by `state` out of the
//   presenting browser's flows; `auth(provider, { serverUrl, authorizationCode })` redeems the
//   code and the SDK saves the tokens for the chat user who started the flow.
// - `GET /whoami?session=sid`: calls the MCP tool `whoami` with the chat user's tokens:
//   `{"linked":true,"sub":…}`, `{"linked":true,"error":…}` when the call failed but the SDK
//   keeps the tokens, or `{"linked":false}`.
// - `POST /unlink?session=sid`: forgets the chat user's tokens.
// - `GET /health`: `ok`.
//
// Configured through the environment (see README.md). Listens on CHATBOT_LISTEN (port 0 picks a
// free one) and prints its base URL on stdout once it accepts connections.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const COOKIE = 'chatbot_session';
// A flow not finished within this time is forgotten.
const FLOW_TTL_MS = 600_000;
// At most this many flows in progress, and this many chat users with tokens; the oldest go first.
const MAX_FLOWS = 10_000;
const MAX_SESSIONS = 10_000;

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
    serverUrl: need('MCP_SERVER_URL'),
    clientId: need('OAUTH_CLIENT_ID'),
    clientSecret: process.env.OAUTH_CLIENT_SECRET || undefined,
    authMethod: process.env.OAUTH_AUTH_METHOD || 'client_secret_basic',
    redirectUri: need('OAUTH_REDIRECT_URI'),
    scope: process.env.OAUTH_SCOPE || undefined,
    timeoutMs: Number(process.env.OAUTH_TIMEOUT_SECS || '10') * 1000,
  };
})();

function log(line) {
  console.error(`${new Date().toISOString()} ${line}`);
}

/**
 * An error in a log line: its class, OAuth error code or HTTP status, and message, never a token
 * or secret. A JSON or schema error's message may quote the response body (a token response), so
 * it is left out.
 */
function describe(error) {
  const name = error?.name ?? 'Error';
  const code = error?.errorCode ?? error?.code;
  const cause = error?.cause?.code ? ` (${error.cause.code})` : '';
  const quiet = name === 'SyntaxError' || name === 'ZodError';
  const message = quiet ? '' : String(error?.message ?? error).slice(0, 300);
  return `${name}:${code ? ` ${code}` : ''}${message ? ` ${message}` : ''}${cause}`;
}

/** fetch with a time limit, for the SDK's requests to the authorization and MCP servers. */
function fetchWithTimeout(url, init = {}) {
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  return fetch(url, { ...init, signal });
}

// --- state -------------------------------------------------------------------------------------

/** Each chat user's tokens, as the SDK saved them: sid -> OAuthTokens. Oldest first. */
const sessions = new Map();
/** Flows in progress: state -> { session, browser, codeVerifier, started }. Oldest first. */
const flows = new Map();
/** Each chat user's MCP call in progress: one at a time, so a rotated refresh token is used once. */
const turns = new Map();

function keepFlow(state, flow) {
  flows.set(state, { ...flow, started: Date.now() });
  while (flows.size > MAX_FLOWS) flows.delete(flows.keys().next().value);
}

/** The flow with this state if this browser started it, removed: a callback is good once. */
function takeFlow(state, browser) {
  const flow = flows.get(state);
  if (!flow || flow.browser !== browser) return null;
  flows.delete(state);
  return Date.now() - flow.started <= FLOW_TTL_MS ? flow : null;
}

function saveSessionTokens(sid, tokens) {
  sessions.delete(sid);
  sessions.set(sid, tokens); // most recently saved last
  while (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
}

/** Runs `work` after the chat user's previous turn has ended. */
function inTurn(sid, work) {
  const previous = turns.get(sid) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => {});
  turns.set(sid, settled);
  settled.then(() => {
    if (turns.get(sid) === settled) turns.delete(sid);
  });
  return next;
}

// --- the SDK's OAuthClientProvider ---------------------------------------------------------------

/**
 * The OAuthClientProvider of one chat user (`sid`). Tokens are the chat user's; the verifier,
 * state and authorization URL belong to `flow`, the one flow this provider serves (several chat
 * users, or one in two browsers, may be linking at once).
 */
class ChatUserProvider {
  constructor(sid, flow = {}) {
    this.sid = sid;
    this.flow = flow;
  }

  get redirectUrl() {
    return settings.redirectUri;
  }

  get clientMetadata() {
    return {
      client_name: 'Gauntlet MCP SDK chatbot',
      redirect_uris: [settings.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: settings.authMethod,
      scope: settings.scope,
    };
  }

  /** A fresh random state per authorization request. */
  state() {
    this.flow.state = randomBytes(32).toString('base64url');
    return this.flow.state;
  }

  /** The pre-registered client. No saveClientInformation: the SDK never registers one. */
  clientInformation() {
    return {
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      token_endpoint_auth_method: settings.authMethod,
    };
  }

  tokens() {
    return sessions.get(this.sid);
  }

  saveTokens(tokens) {
    saveSessionTokens(this.sid, tokens);
  }

  redirectToAuthorization(authorizationUrl) {
    this.flow.authorizationUrl = authorizationUrl;
  }

  saveCodeVerifier(codeVerifier) {
    this.flow.codeVerifier = codeVerifier;
  }

  codeVerifier() {
    if (!this.flow.codeVerifier) throw new Error('no code verifier for this flow');
    return this.flow.codeVerifier;
  }

  /** The SDK calls this when the server says credentials are no longer good. */
  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'tokens') sessions.delete(this.sid);
    if (scope === 'all' || scope === 'verifier') delete this.flow.codeVerifier;
  }
}

// --- the flow ----------------------------------------------------------------------------------

async function link(req, res, sid) {
  if (!sid) {
    failed(res, 'no chat session');
    return;
  }
  const [browser, isNew] = browserOf(req);
  const cookie = isNew ? { 'Set-Cookie': `${COOKIE}=${browser}; Path=/; HttpOnly; SameSite=Lax` } : {};
  const provider = new ChatUserProvider(sid);
  let result;
  try {
    result = await inTurn(sid, () =>
      auth(provider, { serverUrl: settings.serverUrl, fetchFn: fetchWithTimeout }),
    );
  } catch (error) {
    log(`linking could not start: ${describe(error)}`);
    failed(res, 'the MCP server or its authorization server did not answer as expected');
    return;
  }
  if (result === 'AUTHORIZED') {
    // The chat user had a refresh token, and the SDK refreshed it instead of asking again.
    reply(res, 200, page('Account linked', 'Account linked. You can return to the chat.'), undefined, cookie);
    return;
  }
  const { state, codeVerifier, authorizationUrl } = provider.flow;
  if (!state || !codeVerifier || !authorizationUrl) {
    failed(res, 'the SDK gave no authorization URL');
    return;
  }
  keepFlow(state, { session: sid, browser, codeVerifier });
  reply(res, 302, '', 'text/plain', { Location: authorizationUrl.href, 'Cache-Control': 'no-store', ...cookie });
}

async function callback(req, res, url) {
  const [browser] = browserOf(req);
  const state = url.searchParams.get('state');
  const flow = state ? takeFlow(state, browser) : null;
  if (!flow) {
    failed(res, 'this link is unknown, expired or was opened in another browser');
    return;
  }
  const error = url.searchParams.get('error');
  if (error !== null) {
    log('linking failed: the authorization server answered with an error');
    failed(res, `the provider answered ${error}`);
    return;
  }
  const code = url.searchParams.get('code');
  if (!code) {
    failed(res, 'the provider sent no code');
    return;
  }
  const provider = new ChatUserProvider(flow.session, { codeVerifier: flow.codeVerifier });
  let result;
  try {
    result = await inTurn(flow.session, () =>
      auth(provider, { serverUrl: settings.serverUrl, authorizationCode: code, fetchFn: fetchWithTimeout }),
    );
  } catch (error) {
    log(`linking failed: ${describe(error)}`);
    failed(res, 'the provider did not give a token');
    return;
  }
  if (result !== 'AUTHORIZED') {
    failed(res, 'the provider did not give a token');
    return;
  }
  reply(res, 200, page('Account linked', 'Account linked. You can return to the chat.'));
}

function failed(res, why) {
  reply(res, 400, page('Linking failed', `Linking failed: ${why}.`));
}

// --- using the tokens --------------------------------------------------------------------------

/**
 * A call that failed: the chat user is still linked while the SDK keeps their tokens (a 403
 * insufficient_scope, a server error), and no longer once it dropped them
 * (invalidateCredentials, after a refused refresh).
 */
function refused(sid, error) {
  return sessions.has(sid) ? { linked: true, error } : { linked: false };
}

/** Calls the MCP tool `whoami` as the chat user: `{linked, sub}` or `{linked, error}`. */
async function whoami(sid) {
  if (!sessions.has(sid)) return { linked: false };
  // A flow the SDK would start here (say, after a refresh the server refused) has no browser to
  // go to: its URL is dropped, and the transport throws UnauthorizedError.
  const provider = new ChatUserProvider(sid);
  const client = new Client({ name: 'gauntlet-mcp-sdk-chatbot', version: '0.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(settings.serverUrl), {
    authProvider: provider,
    fetch: fetchWithTimeout,
  });
  try {
    await client.connect(transport, { timeout: settings.timeoutMs });
    const result = await client.callTool({ name: 'whoami', arguments: {} }, undefined, {
      timeout: settings.timeoutMs,
    });
    const sub = result.structuredContent?.sub ?? result.content?.[0]?.text;
    if (result.isError || typeof sub !== 'string') {
      log('whoami: the tool gave no subject');
      return refused(sid, 'the tool gave no subject');
    }
    return { linked: true, sub };
  } catch (error) {
    log(`whoami failed: ${describe(error)}`);
    return refused(sid, 'the MCP server refused the call');
  } finally {
    await client.close().catch(() => {});
  }
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

const callbackPath = new URL(settings.redirectUri).pathname;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://chatbot.invalid');
  const sid = url.searchParams.get('session');
  const started = Date.now();
  // The path without its query: a callback's code and state stay out of the log.
  res.on('finish', () => log(`"${req.method} ${url.pathname}" ${res.statusCode} ${Date.now() - started}ms`));
  let handled;
  if (req.method === 'GET' && url.pathname === '/health') {
    handled = Promise.resolve(reply(res, 200, 'ok', 'text/plain'));
  } else if (req.method === 'GET' && url.pathname === '/link') {
    handled = link(req, res, sid);
  } else if (req.method === 'GET' && url.pathname === callbackPath) {
    handled = callback(req, res, url);
  } else if (req.method === 'GET' && url.pathname === '/whoami') {
    handled = inTurn(sid ?? '', () => whoami(sid ?? '')).then((answer) =>
      replyJson(res, 200, answer),
    );
  } else if (req.method === 'POST' && url.pathname === '/unlink') {
    if (sid) sessions.delete(sid);
    handled = Promise.resolve(replyJson(res, 200, { linked: false }));
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
});
