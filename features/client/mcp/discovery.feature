@mcp @restart
Feature: MCP authorization server discovery
  An MCP client learns its server's authorization server from the server: the 401 names the
  protected-resource metadata (RFC 9728), or the client tries the well-known URLs, path-aware
  first. It uses that metadata only if it describes the server it called, and it authorizes only
  with an authorization server that promises PKCE S256. Each scenario starts the platform afresh
  against an MCP server of its own (a client discovers when it connects); refusing to start is
  an answer like any other.

  @must @rfc9728 @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: Protected-resource metadata that describes another resource is not used
    Source: RFC 9728 §3.3; MCP authorization (2025-06-18 and later), "Authorization Server Discovery"
    The metadata names a resource that is no prefix of the server's URL, so no reading of §3.3
    lets a client use it.
    Given the platform is started afresh against an MCP server whose protected-resource metadata describes another resource
    When alice tries to link her account on that platform
    Then the platform used no metadata that describes another resource

  @must @rfc8414 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: No authorization when the metadata does not list code_challenge_methods_supported
    Source: MCP authorization (2025-11-25 and later), "Authorization Code Protection"; RFC 8414 §2
    Without code_challenge_methods_supported an authorization server may not check PKCE at all,
    and MCP clients must refuse to proceed.
    Given the platform is started afresh against an MCP server whose authorization server does not list code_challenge_methods_supported
    When alice tries to link her account on that platform
    Then the platform started no authorization without code_challenge_methods_supported

  @must @rfc9728 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: Without a metadata URL in the 401, the path-aware well-known URL is read
    Source: MCP authorization (2025-11-25 and later), "Protected Resource Metadata Discovery Requirements"; RFC 9728 §3.1
    Given the platform is started afresh against an MCP server whose 401 names no metadata URL and whose metadata is only at the path-aware URL
    When alice tries to link her account on that platform
    Then the platform read the path-aware metadata and alice got a token

  @must @rfc9728 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The path-aware well-known URL is read before the root one
    Source: MCP authorization (2025-11-25 and later), "Protected Resource Metadata Discovery Requirements"
    The spec orders the fallback: the path-aware URL first, then the root one.
    Given the platform is started afresh against an MCP server whose 401 names no metadata URL
    When alice tries to link her account on that platform
    Then the first metadata URL the platform read is the path-aware one
