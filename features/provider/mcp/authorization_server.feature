@mcp
Feature: The MCP server's authorization server
  The authorization server the protected-resource metadata names publishes its own metadata
  (RFC 8414, or OpenID discovery from 2025-11-25 on) under the very name the MCP server gave,
  promises PKCE S256 there, and honours RFC 8707's resource parameter.

  @must @rfc8414 @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The named authorization server publishes metadata with that issuer
    Source: MCP authorization (2025-06-18 and later), "Authorization Server Metadata Discovery"; RFC 8414 §3.1, §3.3
    The well-known URLs are tried in the order MCP clients use: RFC 8414 with path insertion,
    then OpenID discovery with path insertion, then OpenID discovery appended to the path.
    When the client fetches the metadata of the MCP server's authorization server
    Then that metadata's issuer is the name the protected-resource metadata gave

  @must @rfc8414 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The MCP server's authorization server advertises S256
    Source: MCP authorization (2025-11-25 and later), "Authorization Code Protection"; RFC 8414 §2; RFC 7636 §4.2
    MCP clients must refuse to proceed when code_challenge_methods_supported is absent, and
    must use S256: an authorization server that does not list it cannot serve MCP clients.
    When the client fetches the metadata of the MCP server's authorization server
    Then that metadata lists S256 in code_challenge_methods_supported

  @should @rfc8707 @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: An authorization request for an unknown resource is refused with invalid_target
    Source: RFC 8707 §2; MCP authorization (2025-06-18 and later), "Token Audience Binding and Validation"
    RFC 8707 asks a server that does not accept a resource to refuse with invalid_target; the
    resource is a name no server has, never connected to.
    Given an authorization request for an unknown resource
    When the user approves it
    Then the request is refused with "invalid_target" and no code
