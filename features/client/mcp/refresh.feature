@mcp @restart
Feature: MCP refresh without guessed endpoints
  An MCP client refreshes at the token endpoint it learned from its authorization server's
  validated metadata. The 2025-03-26 revision let a client without metadata fall back to
  default paths (/authorize, /token, /register at the MCP server's origin); 2025-06-18 removed
  that fallback, so a client whose metadata fails at refresh time keeps the endpoint it learned,
  or gives up and asks the user to link again, and never hands the refresh token to whatever
  answers at a guessed URL. Each scenario starts the platform afresh against an MCP server of
  its own whose authorization server's token endpoint is at no default path.

  @must @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: A refresh token is never sent to a guessed endpoint when discovery fails at refresh time
    Source: MCP authorization (2025-06-18, "Server Metadata Discovery"; 2025-11-25 and later, "Authorization Server Metadata Discovery"); MCP authorization 2025-03-26, "Fallbacks for Servers without Metadata Discovery" (removed); RFC 6749 §10.4
    The access token is refused (revoked) while the metadata answers 503: a cached token
    endpoint, or giving up, are both right.
    Given the platform is started afresh against an MCP server whose authorization server's token endpoint is at no default path
    When alice links her account
    And the authorization server's metadata starts failing
    And the provider revokes alice's access token
    And alice asks the platform whether she is linked
    Then the platform presented alice's refresh token only at the token endpoint of the metadata
