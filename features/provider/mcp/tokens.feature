@mcp
Feature: Access tokens at the MCP server
  The MCP server accepts the tokens its authorization server issued for it, in the
  Authorization header, and refuses every other token: an invalid one, one issued for another
  resource (a token's audience is what stops a token for one service being replayed at
  another), one in the query string. A tool that needs more scope than the token carries is
  refused with 403 naming the scope it needs, so that the client can step up.

  @must @rfc8707 @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: A token issued for the MCP server opens it
    Source: MCP authorization (2025-06-18 and later), "Resource Parameter Implementation", "Access Token Usage"; RFC 8707 §2
    Given the client holds a token issued for the MCP server
    When the client initializes an MCP session with the token
    Then the MCP server answers with a JSON-RPC result

  @must @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: An invalid token is refused with 401
    Source: MCP authorization (2025-06-18 and later), "Token Handling"; RFC 6750 §3.1
    When the client initializes an MCP session with an invalid token
    Then the MCP server refuses the token with 401

  @must @mcp_expired_token @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: An expired token is refused with 401
    Source: MCP authorization (2025-06-18 and later), "Token Handling"; OAuth 2.1 (draft-ietf-oauth-v2-1-13) §5.2
    Invalid or expired tokens MUST receive a 401. The token is [server.mcp] expired_token: one
    the authorization server issued for the MCP server that has expired (Gauntlet cannot make
    a token expire at will).
    When the client initializes an MCP session with an expired token
    Then the MCP server refuses the token with 401

  @should @mcp_expired_token @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The 401 for an expired token says invalid_token
    Source: RFC 6750 §3, §3.1; MCP authorization (2025-06-18 and later), "Token Handling" (errors per OAuth 2.1 §5.3)
    A resource server should name the error of a request whose token failed, and
    invalid_token is the one for an expired token: it tells the client to refresh.
    When the client initializes an MCP session with an expired token
    Then the MCP server refuses the token with 401 invalid_token

  @must @rfc8707 @mcp_other_resource @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: A token issued for another resource is refused with 401
    Source: MCP authorization (2025-06-18 and later), "Token Handling", "Token Audience Binding and Validation"; RFC 8707 §2
    Given the client holds a token issued for the other resource
    When the client initializes an MCP session with the token
    Then the MCP server refuses the token with 401

  @should @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: A token in the query string is not accepted
    Source: MCP authorization (2025-06-18 and later), "Token Requirements"; OAuth 2.1 (draft-ietf-oauth-v2-1-13) §5.1, §7.1.3.7
    MCP forbids clients to put a token in the query, and OAuth 2.1 defines no query method;
    a server that takes one invites tokens into URLs, logs and histories.
    Given the client holds a token issued for the MCP server
    When the client initializes an MCP session with the token in the query string only
    Then the MCP server does not accept the request

  @must @mcp_step_up @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: A tool call needing more scope is refused with 403
    Source: MCP authorization (2025-06-18 and later), "Error Handling"; RFC 6750 §3.1
    Given the client holds a token issued for the MCP server
    When the client calls the step-up tool with the token
    Then the MCP server answers 403

  @should @mcp_step_up @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The 403 says insufficient_scope and names the scope the call needs
    Source: MCP authorization (2025-11-25 and later), "Scope Challenge Handling"; RFC 6750 §3, §3.1
    Given the client holds a token issued for the MCP server
    When the client calls the step-up tool with the token
    Then the MCP server answers 403
    And its challenge says insufficient_scope and names a scope the token lacks
