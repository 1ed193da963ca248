@mcp @rfc9728
Feature: MCP server discovery
  An MCP server is an OAuth resource server: a client that calls it without a token learns from
  its 401 where the protected-resource metadata is (RFC 9728), and from that metadata which
  authorization server issues its tokens. The 2025-06-18 revision requires the metadata URL in
  the 401's WWW-Authenticate header; from 2025-11-25 on, a server may instead serve the
  metadata at a well-known URL, path-aware or root, and should name the scope in the 401.

  @must @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: A request without a token gets 401 and a way to the protected-resource metadata
    Source: MCP authorization (2025-11-25 and later), "Protected Resource Metadata Discovery Requirements", "Error Handling"; RFC 9728 §3.1, §5.1
    Either discovery mechanism will do: resource_metadata in the challenge, or the metadata at
    the path-aware or the root well-known URL.
    When the client calls the MCP server without a token
    Then the MCP server answers 401
    And its protected-resource metadata is found from the challenge or a well-known URL

  @must @mcp_2025_06_18
  Scenario: The 401 names the protected-resource metadata in WWW-Authenticate
    Source: MCP authorization (2025-06-18), "Authorization Server Location"; RFC 9728 §5.1
    When the client calls the MCP server without a token
    Then the MCP server answers 401
    And its challenge names protected-resource metadata that can be read

  @should @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The 401 names the scope the MCP server needs
    Source: MCP authorization (2025-11-25 and later), "Protected Resource Metadata Discovery Requirements"; RFC 6750 §3
    When the client calls the MCP server without a token
    Then the MCP server answers 401
    And its challenge names a scope

  @must @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The protected-resource metadata describes the MCP server
    Source: RFC 9728 §3.2, §3.3; MCP authorization (2025-06-18 and later), "Authorization Server Location"
    A client must not use metadata whose resource is not the server it called, so metadata
    naming another resource leaves every client without an authorization server.
    When the client fetches the MCP server's protected-resource metadata
    Then its resource is the MCP server's resource identifier

  @must @mcp_2025_06_18 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The protected-resource metadata names an authorization server
    Source: MCP authorization (2025-06-18 and later), "Authorization Server Location"; RFC 9728 §2
    When the client fetches the MCP server's protected-resource metadata
    Then it names at least one authorization server
