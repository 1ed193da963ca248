@mcp @restart
Feature: MCP scope selection
  An MCP client asks its authorization server for the scopes its MCP server needs: the scope the
  server's 401 challenge names, else every scope of its protected-resource metadata's
  scopes_supported (MCP authorization 2025-11-25 and later, "Scope Selection Strategy"). Scopes
  of its own may come along. Each scenario starts the platform afresh against an MCP server that
  needs a scope no platform profile configures, mcp:files.

  @should @rfc9728 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: The first authorization asks for the scope the 401 names
    Source: MCP authorization (2025-11-25 and later), "Scope Selection Strategy"; RFC 6750 §3
    Given the platform is started afresh against an MCP server whose 401 asks for a scope the platform is not configured with
    When alice tries to link her account on that platform
    Then the platform asked for the scope the 401 named

  @should @rfc9728 @mcp_2025_11_25 @mcp_2026_07_28
  Scenario: Without a scope in the 401, the first authorization asks for the metadata's scopes
    Source: MCP authorization (2025-11-25 and later), "Scope Selection Strategy"; RFC 9728 §2
    Given the platform is started afresh against an MCP server whose 401 names no scope and whose metadata lists a scope the platform is not configured with
    When alice tries to link her account on that platform
    Then the platform asked for the scope the metadata lists
