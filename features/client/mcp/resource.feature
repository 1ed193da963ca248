@mcp
Feature: MCP resource indicators
  An MCP client names the MCP server it wants a token for with RFC 8707's resource parameter, in
  the authorization request and in the token request, as the server's canonical URI: the URL it
  connects to, byte for byte. A token issued for one MCP server then cannot be replayed at
  another (a confused deputy), and an authorization server that compares resources exactly
  (Entra does) does not refuse a variant such as a trailing slash.

  @must @rfc8707 @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The authorization request names the MCP server byte for byte
    Source: MCP authorization (2025-06-18 and later), "Resource Parameter Implementation"; RFC 8707 §2
    When alice starts linking her account
    Then the authorization request's resource is the MCP server's URL byte for byte

  @must @rfc8707 @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The token request names the resource of the authorization request
    Source: MCP authorization (2025-06-18 and later), "Resource Parameter Implementation"; RFC 8707 §2.2
    The MCP authorization spec makes resource a MUST in both requests, although RFC 8707 alone
    lets a token request leave it out.
    When alice links her account
    Then the token request's resource is the MCP server's URL byte for byte
