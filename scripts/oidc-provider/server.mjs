// panva's oidc-provider (the version pinned in package.json) on 127.0.0.1:PORT with Gauntlet's
// clients, its built-in development login and consent pages (devInteractions) and a small
// protected resource at /api/hello. Everything not set here is oidc-provider's default.
// In-memory storage: every start is fresh. Serves until killed. Test use only: the cookie keys
// are public and the signing keys are oidc-provider's development keys.
//
//   node server.mjs PORT
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node server.mjs PORT');
  process.exit(64);
}
const issuer = `http://127.0.0.1:${port}`;

const redirectUris = ['https://client.gauntlet.test/callback'];
// Only the authorization-code grant (and refresh tokens); no id_token response types.
const grantTypes = ['authorization_code', 'refresh_token'];

const configuration = {
  clients: [
    {
      client_id: 'gauntlet-confidential',
      client_secret: 'gauntlet-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [...redirectUris, 'https://client.gauntlet.test/other'],
      grant_types: grantTypes,
      response_types: ['code'],
      scope: 'openid offline_access read write',
    },
    {
      client_id: 'gauntlet-public',
      token_endpoint_auth_method: 'none',
      redirect_uris: redirectUris,
      grant_types: grantTypes,
      response_types: ['code'],
      scope: 'openid offline_access read write',
    },
    {
      client_id: 'gauntlet-other',
      client_secret: 'other-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: redirectUris,
      grant_types: grantTypes,
      response_types: ['code'],
      scope: 'openid offline_access read write',
    },
  ],
  // Plain OAuth 2.0 scopes next to OpenID Connect's: a request for "read" (without "openid")
  // gets an opaque access token whose scope is "read", which /api/hello checks.
  scopes: ['openid', 'offline_access', 'read', 'write'],
  responseTypes: ['code'],
  // PKCE with S256 for every client (oidc-provider's default requires it of public clients
  // only; S256 is also its default and only method).
  pkce: { methods: ['S256'], required: () => true },
  // Refresh tokens for every client allowed the refresh_token grant. oidc-provider's default
  // issues one only when offline_access was requested and granted (with prompt=consent);
  // Gauntlet's plain flow asks for "read" alone, so the condition is dropped here rather than
  // adding offline_access and prompt=consent to the profile's extra_params.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  features: {
    // The built-in login page (any login, any password) and consent page ("Continue";
    // "[ Cancel ]" is a link to /interaction/UID/abort, which ends in access_denied).
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
  },
  ttl: {
    // Gauntlet's expiry scenario waits this long; the profile's code_lifetime_secs says 10.
    AuthorizationCode: 10,
    AccessToken: 3600,
    RefreshToken: 86400,
    Interaction: 600,
    Session: 3600,
    Grant: 86400,
  },
  cookies: { keys: ['gauntlet-test-only-cookie-key'] },
};

const provider = new Provider(issuer, configuration);

// GET /api/hello: needs a Bearer access token with scope "read" (RFC 6750): no token, 401 with a
// bare Bearer challenge; an unknown, expired or revoked token, 401 invalid_token; a token
// without "read", 403 insufficient_scope; a token in both the header and the query, 400
// invalid_request. This route is Gauntlet's, not oidc-provider's: it only looks tokens up.
const RESOURCE_SCOPE = 'read';
provider.use(async (ctx, next) => {
  if (ctx.path !== '/api/hello') {
    return next();
  }
  const challenge = (status, error, description) => {
    ctx.status = status;
    let value = `Bearer realm="${issuer}"`;
    if (error) {
      value += `, error="${error}", error_description="${description}"`;
      if (error === 'insufficient_scope') value += `, scope="${RESOURCE_SCOPE}"`;
    }
    ctx.set('WWW-Authenticate', value);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = error ? { error, error_description: description } : '';
  };
  if (ctx.method !== 'GET') {
    ctx.status = 405;
    return undefined;
  }
  const header = ctx.get('authorization');
  const match = /^Bearer +([\x21-\x7e]+)\s*$/i.exec(header);
  const inQuery = ctx.query.access_token !== undefined;
  if ((header && inQuery) || (header && !match)) {
    return challenge(400, 'invalid_request', 'one token, in the Authorization header');
  }
  const value = match ? match[1] : undefined;
  if (!value) {
    return challenge(401);
  }
  const token = await provider.AccessToken.find(value);
  const grant = token && (await provider.Grant.find(token.grantId));
  if (!token || !grant || grant.clientId !== token.clientId) {
    return challenge(401, 'invalid_token', 'the access token is unknown, expired or revoked');
  }
  const scopes = new Set((token.scope || '').split(' '));
  if (!scopes.has(RESOURCE_SCOPE)) {
    return challenge(403, 'insufficient_scope', `the token lacks scope ${RESOURCE_SCOPE}`);
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { hello: token.accountId };
  return undefined;
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
