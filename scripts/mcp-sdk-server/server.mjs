// An MCP server with authorization on the official MCP TypeScript SDK (the version pinned in
// package.json), on 127.0.0.1:PORT. The OAuth side is the SDK's server auth: mcpAuthRouter
// (authorize, token, register and revoke handlers, RFC 8414 and RFC 9728 metadata) and
// requireBearerAuth in front of the MCP endpoint /mcp, where a stateless
// StreamableHTTPServerTransport serves an McpServer with two tools. What is ours is the
// in-memory OAuthServerProvider below (codes, tokens, clients) and the choice of which requests
// need the admin scope; README.md says which checks are the SDK's and which ours.
// Every start is fresh. Serves until killed. Test use only: the clients' secrets are public.
//
//   node server.mjs PORT
import { randomBytes } from 'node:crypto';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { mcpAuthRouter, getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import {
  InvalidGrantError,
  InvalidScopeError,
  InvalidTargetError,
  InvalidTokenError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node server.mjs PORT');
  process.exit(64);
}
const issuer = new URL(`http://127.0.0.1:${port}/`);
// The MCP endpoint is the protected resource: its URL is the RFC 8707 resource identifier.
const mcpUrl = new URL('/mcp', issuer);

// The scope every token for /mcp needs, and the one the admin tool needs besides.
const BASIC = 'mcp:tools';
const ADMIN = 'mcp:admin';
const CODE_TTL_SECS = 10; // the profile's code_lifetime_secs
const TOKEN_TTL_SECS = 3600;
const USER = 'alice'; // everyone who authorizes is alice: there is no login page

const redirectUris = ['https://client.gauntlet.test/callback'];
const preregistered = [
  {
    client_id: 'gauntlet-confidential',
    client_secret: 'gauntlet-secret',
    // The SDK's token and revocation endpoints read credentials from the form body only.
    token_endpoint_auth_method: 'client_secret_post',
    redirect_uris: [...redirectUris, 'https://client.gauntlet.test/other'],
  },
  { client_id: 'gauntlet-public', token_endpoint_auth_method: 'none', redirect_uris: redirectUris },
  {
    client_id: 'gauntlet-other',
    client_secret: 'other-secret',
    token_endpoint_auth_method: 'client_secret_post',
    redirect_uris: redirectUris,
  },
];

const secret = () => randomBytes(32).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

// Registered clients: the three above and those registered through /register (the SDK's
// handler validates the metadata and makes the id and secret).
const clients = new Map(preregistered.map((c) => [c.client_id, { ...c, scope: `${BASIC} ${ADMIN}` }]));
const clientsStore = {
  async getClient(id) {
    return clients.get(id);
  },
  async registerClient(client) {
    clients.set(client.client_id, client);
    return client;
  },
};

const codes = new Map(); // code -> { clientId, params, expiresAt }
const tokens = new Map(); // access or refresh token -> { kind, clientId, scopes, resource, expiresAt }

// The resource a request names, which must be this server's: it issues tokens for nothing else.
function ownResource(resource) {
  if (resource !== undefined && resource.href !== mcpUrl.href) {
    throw new InvalidTargetError(`this server issues tokens for ${mcpUrl.href} only`);
  }
  return mcpUrl;
}

function issue(clientId, scopes, resource) {
  const access = secret();
  const refresh = secret();
  const common = { clientId, scopes, resource: resource.href };
  tokens.set(access, { ...common, kind: 'access', expiresAt: now() + TOKEN_TTL_SECS });
  tokens.set(refresh, { ...common, kind: 'refresh' });
  return {
    access_token: access,
    token_type: 'Bearer',
    expires_in: TOKEN_TTL_SECS,
    scope: scopes.join(' '),
    refresh_token: refresh,
  };
}

// A code of this client, not expired; otherwise invalid_grant.
function liveCode(client, code) {
  const data = codes.get(code);
  if (!data || data.clientId !== client.client_id || data.expiresAt < now()) {
    throw new InvalidGrantError('invalid authorization code');
  }
  return data;
}

const provider = {
  clientsStore,

  // The SDK has checked client_id, redirect_uri (registered), response_type, the S256 challenge
  // and resource (a URL). Approves at once, as alice.
  async authorize(client, params, res) {
    const allowed = client.scope ? client.scope.split(' ') : [BASIC];
    const scopes = params.scopes?.length ? params.scopes : [BASIC];
    if (!scopes.every((s) => allowed.includes(s))) {
      throw new InvalidScopeError(`allowed scopes: ${allowed.join(' ')}`);
    }
    const resource = ownResource(params.resource);
    const code = secret();
    codes.set(code, {
      clientId: client.client_id,
      params: { ...params, scopes, resource },
      expiresAt: now() + CODE_TTL_SECS,
    });
    const target = new URL(params.redirectUri);
    target.searchParams.set('code', code);
    if (params.state !== undefined) target.searchParams.set('state', params.state);
    res.redirect(302, target.href);
  },

  // The SDK compares the verifier with this challenge.
  async challengeForAuthorizationCode(client, code) {
    return liveCode(client, code).params.codeChallenge;
  },

  async exchangeAuthorizationCode(client, code, _verifier, redirectUri, resource) {
    const { params } = liveCode(client, code);
    codes.delete(code); // single use
    if (redirectUri !== params.redirectUri) {
      throw new InvalidGrantError('redirect_uri differs from the authorization request');
    }
    if (resource !== undefined && resource.href !== params.resource.href) {
      throw new InvalidTargetError('resource differs from the authorization request');
    }
    return issue(client.client_id, params.scopes, params.resource);
  },

  // Rotates: the refresh token used is spent.
  async exchangeRefreshToken(client, refreshToken, scopes, resource) {
    const data = tokens.get(refreshToken);
    if (!data || data.kind !== 'refresh' || data.clientId !== client.client_id) {
      throw new InvalidGrantError('invalid refresh token');
    }
    const granted = scopes ?? data.scopes;
    if (!granted.every((s) => data.scopes.includes(s))) {
      throw new InvalidScopeError('a refresh cannot widen the scope');
    }
    if (resource !== undefined && resource.href !== data.resource) {
      throw new InvalidTargetError('resource differs from the authorization request');
    }
    tokens.delete(refreshToken);
    return issue(client.client_id, granted, new URL(data.resource));
  },

  // The SDK's requireBearerAuth checks the expiry, the resource and the scopes of what this returns.
  async verifyAccessToken(token) {
    const data = tokens.get(token);
    if (!data || data.kind !== 'access') {
      throw new InvalidTokenError('unknown token');
    }
    return {
      token,
      clientId: data.clientId,
      scopes: data.scopes,
      expiresAt: data.expiresAt,
      resource: new URL(data.resource),
      extra: { user: USER },
    };
  },

  // A token of another client, or unknown, is left alone (RFC 7009 §2.2 answers 200 either way).
  async revokeToken(client, { token }) {
    if (tokens.get(token)?.clientId === client.client_id) tokens.delete(token);
  },
};

const app = createMcpExpressApp({ host: '127.0.0.1' });
// Gauntlet's suite makes hundreds of requests from one address in a few minutes: the SDK's
// default rate limits (50 token requests per 15 minutes) would answer 429.
const noLimit = { rateLimit: false };
app.use(
  mcpAuthRouter({
    provider,
    issuerUrl: issuer,
    resourceServerUrl: mcpUrl,
    scopesSupported: [BASIC, ADMIN],
    resourceName: 'Gauntlet MCP SDK server',
    authorizationOptions: noLimit,
    tokenOptions: noLimit,
    revocationOptions: noLimit,
    clientRegistrationOptions: noLimit,
  }),
);

const bearer = (requiredScopes) =>
  requireBearerAuth({
    verifier: provider,
    requiredScopes,
    resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl),
    expectedResource: mcpUrl,
  });
const basicAuth = bearer([BASIC]);
const adminAuth = bearer([BASIC, ADMIN]);

// The tool that needs the admin scope. McpServer has no per-tool scopes, so the HTTP layer looks
// at the JSON-RPC body: a call of this tool goes through the SDK's check with both scopes (403
// insufficient_scope and the scope needed), everything else with the basic one.
const ADMIN_TOOL = 'audit_log';
const callsAdminTool = (body) =>
  [body]
    .flat()
    .some((m) => m?.method === 'tools/call' && m?.params?.name === ADMIN_TOOL);

function mcpServer() {
  const server = new McpServer({ name: 'gauntlet-mcp-sdk-server', version: '0.0.0' });
  const text = (value) => ({ content: [{ type: 'text', text: JSON.stringify(value) }] });
  server.registerTool(
    'whoami',
    { description: 'Who the access token speaks for' },
    async ({ authInfo }) =>
      text({ user: authInfo.extra.user, client_id: authInfo.clientId, scope: authInfo.scopes.join(' ') }),
  );
  server.registerTool(
    ADMIN_TOOL,
    { description: `The server's audit log (needs scope ${ADMIN})` },
    async ({ authInfo }) => text({ user: authInfo.extra.user, entries: [] }),
  );
  return server;
}

// Stateless: a server and a transport per request, as in the SDK's stateless example.
app.post(
  '/mcp',
  (req, res, next) => (callsAdminTool(req.body) ? adminAuth : basicAuth)(req, res, next),
  async (req, res) => {
    const server = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  },
);
// A stateless server has no stream to offer on GET, nor a session to end on DELETE.
const noStream = (req, res) =>
  res.status(405).set('Allow', 'POST').json({
    jsonrpc: '2.0',
    error: { code: -32000, message: 'Method not allowed.' },
    id: null,
  });
app.get('/mcp', basicAuth, noStream);
app.delete('/mcp', basicAuth, noStream);
// The whoami tool as a plain GET behind the same middleware (same scope, same audience: tokens
// for /mcp): a probe for bearer-token checks that send GET, which /mcp answers 405.
app.get('/whoami', basicAuth, (req, res) =>
  res.json({ user: req.auth.extra.user, client_id: req.auth.clientId, scope: req.auth.scopes.join(' ') }),
);

app.listen(port, '127.0.0.1', (error) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  console.log(`MCP server ${mcpUrl.href}, authorization server ${issuer.href}`);
});
